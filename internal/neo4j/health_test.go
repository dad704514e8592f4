package neo4j

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// boltProxy forwards TCP connections to the test server until it is cut,
// so a test can take "the server" away without touching the shared one.
type boltProxy struct {
	listener net.Listener
	target   string

	mu      sync.Mutex
	conns   []net.Conn
	frozen  bool          // accept and hold connections, forward nothing
	stopped chan struct{} // closed by stop: frozen copies give up
}

func newBoltProxy(t *testing.T) *boltProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := strings.TrimPrefix(strings.TrimPrefix(testURI(), "bolt://"), "neo4j://")
	p := &boltProxy{listener: l, target: target, stopped: make(chan struct{})}
	go p.serve()
	t.Cleanup(p.stop)
	return p
}

func (p *boltProxy) uri() string { return "bolt://" + p.listener.Addr().String() }

func (p *boltProxy) serve() {
	for {
		c, err := p.listener.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		frozen := p.frozen
		p.mu.Unlock()
		if frozen {
			continue // held open, never answered
		}
		go func() {
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, up)
			p.mu.Unlock()
			go func() { p.copy(up, c); up.Close() }()
			p.copy(c, up)
			c.Close()
		}()
	}
}

// copy forwards from src to dst until either fails; once the proxy is
// frozen it holds what it read and waits for stop, closing nothing.
func (p *boltProxy) copy(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		frozen := p.frozen
		p.mu.Unlock()
		if frozen {
			<-p.stopped
			return
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// stop closes the listener and every connection: the port refuses, as a
// stopped server's does.
func (p *boltProxy) stop() {
	p.listener.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.stopped:
	default:
		close(p.stopped)
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// freeze keeps every connection open but forwards nothing more, as a hung
// server or a dropped network does: nothing is refused, nothing answers.
func (p *boltProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// TestVersionNoticesAnOutageInSeconds: the explorer's refresh asks Version
// every tick and reports "degraded" when it fails, so Version must fail
// within seconds of the server going away, not after the driver's 30 s of
// retries (issue 12 measured 55 s). Both ways a server goes away: it stops
// (connections refused) or it hangs (nothing answers).
func TestVersionNoticesAnOutageInSeconds(t *testing.T) {
	for _, outage := range []string{"stopped", "hung"} {
		t.Run(outage, func(t *testing.T) {
			ctx := context.Background()
			proxy := newBoltProxy(t)
			s, err := Open(ctx, proxy.uri(), testEnv)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Version(ctx); err != nil {
				t.Fatalf("through the proxy: %v", err)
			}
			if outage == "stopped" {
				proxy.stop()
			} else {
				proxy.freeze()
			}
			// The first call after the outage meets the pooled connection,
			// the second a new one: both must fail fast.
			for call := 1; call <= 2; call++ {
				began := time.Now()
				_, err = s.Version(ctx)
				took := time.Since(began)
				t.Logf("%s server, call %d: Version failed after %v: %v", outage, call, took.Round(time.Millisecond), err)
				if err == nil {
					t.Fatal("Version succeeded with the server gone")
				}
				if code := graph.ErrorCode(err); code != graph.EUNAVAILABLE {
					t.Errorf("code %q, want %q", code, graph.EUNAVAILABLE)
				}
				if took > VersionTimeout+2*time.Second {
					t.Errorf("Version took %v to notice; want at most %v", took, VersionTimeout+2*time.Second)
				}
				if strings.Contains(err.Error(), "unexpected") {
					t.Errorf("the cause is not named: %v", err)
				}
			}
		})
	}
}

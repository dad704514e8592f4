package httpapi

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// noise returns n bytes that gzip cannot shrink, so an answer's size in the
// cache is about twice n (plain and gzipped).
func noise(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n+8)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
	}
	return b[:n]
}

func TestConcurrentRequestsForOneAnswerShareOneBuild(t *testing.T) {
	c := newResponseCache(64 << 20)
	var builds atomic.Int32
	build := func() (*cachedResponse, error) {
		builds.Add(1)
		time.Sleep(50 * time.Millisecond) // long enough for every request to arrive
		return &cachedResponse{contentType: "text/plain", body: noise(4096, 1)}, nil
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			resp, release := c.get(context.Background(), "k", build)
			defer release()
			if resp.err != nil || len(resp.body) != 4096 || resp.gzipped == nil {
				t.Errorf("get: err %v, %d bytes, gzipped %v", resp.err, len(resp.body), resp.gzipped != nil)
			}
		})
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("%d builds for 50 concurrent requests of one answer, want 1", n)
	}
	// Kept: a later request builds nothing.
	resp, release := c.get(context.Background(), "k", build)
	release()
	if resp.err != nil || builds.Load() != 1 {
		t.Errorf("a later request: err %v, %d builds in all, want 1", resp.err, builds.Load())
	}
}

func TestFailedBuildsAreNotKept(t *testing.T) {
	c := newResponseCache(64 << 20)
	calls := 0
	build := func() (*cachedResponse, error) {
		calls++
		return nil, graph.Errorf(graph.EINTERNAL, "store went away")
	}
	for range 2 {
		resp, release := c.get(context.Background(), "k", build)
		release()
		if resp.err == nil {
			t.Fatal("a failed build gave no error")
		}
	}
	if calls != 2 {
		t.Errorf("%d builds for two requests after failures, want 2 (an error is not kept)", calls)
	}
	if kept, reserved := c.usage(); kept != 0 || reserved != 0 {
		t.Errorf("after failures: %d bytes kept, %d reserved, want 0 and 0", kept, reserved)
	}
}

func TestAPanickingBuildReleasesItsSlotAndItsWaiters(t *testing.T) {
	c := newResponseCache(1 << 20)
	c.maxBuilds = 1
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			resp, release := c.get(context.Background(), "k", func() (*cachedResponse, error) {
				time.Sleep(20 * time.Millisecond)
				panic("a bug")
			})
			release()
			if resp.err == nil {
				t.Error("a panicking build gave no error")
			}
		})
	}
	wg.Wait()
	resp, release := c.get(context.Background(), "k", func() (*cachedResponse, error) {
		return &cachedResponse{contentType: "text/plain", body: []byte("fine")}, nil
	})
	release()
	if resp.err != nil || string(resp.body) != "fine" {
		t.Errorf("after a panic: %v %q", resp.err, resp.body)
	}
	if kept, reserved := c.usage(); reserved != 0 || kept == 0 {
		t.Errorf("after a panic: %d kept, %d reserved", kept, reserved)
	}
}

// Issue 12: the old cache's bound did not count answers being built, so 50
// clients asking for 50 different answers at once built 50 at once. The
// budget must hold kept and building answers together, whatever arrives.
func TestTheBudgetCoversKeptAnswersAndBuildsUnderWay(t *testing.T) {
	const (
		limit      = 1 << 20
		answerSize = 64 << 10 // plain; gzipped noise is a little larger
	)
	bodies := make([][]byte, 8)
	for i := range bodies {
		bodies[i] = noise(answerSize, uint64(i))
	}
	c := newResponseCache(limit)
	var building, mostBuilding atomic.Int32
	var worst atomic.Int64
	var mu sync.Mutex
	check := func() {
		kept, reserved := c.usage()
		if total := kept + reserved; total > worst.Load() {
			mu.Lock()
			worst.Store(max(worst.Load(), total))
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for client := range 50 {
		wg.Go(func() {
			for i := range 6 {
				key := fmt.Sprintf("client %d answer %d", client, i%4)
				resp, release := c.get(context.Background(), key, func() (*cachedResponse, error) {
					n := building.Add(1)
					defer building.Add(-1)
					for {
						m := mostBuilding.Load()
						if n <= m || mostBuilding.CompareAndSwap(m, n) {
							break
						}
					}
					check()
					time.Sleep(time.Millisecond)
					return &cachedResponse{contentType: "text/plain", body: bodies[(client+i)%len(bodies)]}, nil
				})
				check()
				if resp.err != nil {
					t.Errorf("%s: %v", key, resp.err)
				}
				release()
				check()
			}
		})
	}
	wg.Wait()
	if w := worst.Load(); w > limit {
		t.Errorf("kept and reserved bytes reached %d, over the budget of %d", w, limit)
	}
	if m := int(mostBuilding.Load()); m > c.maxBuilds {
		t.Errorf("%d builds at once, want at most %d", m, c.maxBuilds)
	}
	kept, reserved := c.usage()
	if reserved != 0 || kept > limit || kept < limit/4 {
		t.Errorf("at rest: %d bytes kept, %d reserved; want the budget of %d used and nothing reserved", kept, reserved, limit)
	}
	t.Logf("peak kept+reserved %d of %d; at most %d builds at once", worst.Load(), limit, mostBuilding.Load())
}

func TestAnAnswerLargerThanAQuarterOfTheBudgetIsServedNotKept(t *testing.T) {
	c := newResponseCache(1 << 20)
	for range 2 {
		resp, release := c.get(context.Background(), "big", func() (*cachedResponse, error) {
			return &cachedResponse{contentType: "text/plain", body: noise(300<<10, 2)}, nil
		})
		if resp.err != nil || len(resp.body) != 300<<10 {
			t.Fatalf("big answer: err %v, %d bytes", resp.err, len(resp.body))
		}
		if _, reserved := c.usage(); reserved == 0 {
			t.Error("an answer being sent and not kept holds no reservation")
		}
		release()
	}
	if kept, reserved := c.usage(); kept != 0 || reserved != 0 {
		t.Errorf("after sending: %d kept, %d reserved, want 0 and 0", kept, reserved)
	}
}

func TestAWaitingRequestGivesUpWhenItsClientLeaves(t *testing.T) {
	c := newResponseCache(1 << 20)
	c.maxBuilds = 1
	started, finish := make(chan struct{}), make(chan struct{})
	go func() {
		_, release := c.get(context.Background(), "slow", func() (*cachedResponse, error) {
			close(started)
			<-finish
			return &cachedResponse{contentType: "text/plain", body: []byte("done")}, nil
		})
		release()
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	resp, release := c.get(ctx, "other", func() (*cachedResponse, error) {
		t.Error("built while the only build slot was taken")
		return nil, nil
	})
	release()
	if resp.err == nil {
		t.Error("a request whose client left got no error")
	}
	close(finish)
	// The slot is free again: the next request builds.
	resp, release = c.get(context.Background(), "other", func() (*cachedResponse, error) {
		return &cachedResponse{contentType: "text/plain", body: []byte("other")}, nil
	})
	release()
	if resp.err != nil || string(resp.body) != "other" {
		t.Errorf("after the slot freed: %v %q", resp.err, resp.body)
	}
}

// Cache keys come from validated parameters: the spellings of one view share
// one entry, and nothing a client adds creates another.
func TestSpellingsOfOneViewShareOneCacheEntry(t *testing.T) {
	snap := NewStaticSnapshot(graph.Build([]graph.EpisodeFacts{{
		Episode:  graph.Episode{ID: "e", Date: "2024-01-01"},
		Mentions: []graph.Mention{{Concept: "a", Label: "A", Kind: graph.KindConcept, Line: 1}, {Concept: "b", Label: "B", Kind: graph.KindPerson, Line: 1}},
		Links:    []graph.Link{{Source: "a", Target: "b", Type: graph.RelCooccurs, Strength: 1, Line: 1}},
	}}))
	h := NewServer(snap, nil, nil)
	entries := func() int {
		c := snap.responses
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.entries)
	}
	for _, group := range [][]string{
		{"/api/graph", "/api/graph?evidence=true", "/api/graph?evidence=1&", "/api/graph?top="},
		{"/api/graph?compact=1", "/api/graph?compact=true", "/api/graph?links=2&compact=1", "/api/graph?compact=1&evidence=false"},
		{"/api/export?format=csv&kind=person,concept", "/api/export?kind=concept,person,concept&format=csv", "/api/export?format=csv&kind=concept%2Cperson"},
		{"/api/graph?theme=0&from=2024", "/api/graph?from=2024&theme=00", "/api/graph?from=+2024+&theme=0"},
	} {
		before := entries()
		for _, path := range group {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Host = "localhost"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
		}
		if added := entries() - before; added > 1 {
			t.Errorf("%v: %d cache entries, want 1", group, added)
		}
	}
}

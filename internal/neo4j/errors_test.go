package neo4j

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// tlsListener listens on loopback with a fresh self-signed certificate and
// completes TLS handshakes, as a Neo4j server that requires TLS would.
func tlsListener(t *testing.T) net.Listener {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	return l
}

// TestTLSMismatchIsNamed provokes both TLS mismatches for real: a bolt+s://
// URL for the dev server, which has no TLS, and bolt:// and bolt+s:// for a
// server with TLS and a certificate nobody trusts. Each must say TLS, not
// "unreachable".
func TestTLSMismatchIsNamed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tlsAddress := tlsListener(t).Addr().String()
	plainAddress := strings.TrimPrefix(testURI(), "bolt://")
	for _, tc := range []struct{ uri, want string }{
		{"bolt+s://" + plainAddress, "the TLS handshake failed"},
		{"bolt+s://" + tlsAddress, "the TLS handshake failed"},
		{"bolt://" + tlsAddress, "if it requires TLS, use bolt+s://"},
	} {
		s, err := Open(ctx, tc.uri, testEnv)
		if err == nil {
			s.Close()
			t.Errorf("%s: Open succeeded", tc.uri)
			continue
		}
		t.Logf("%s: %v", tc.uri, err)
		if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "unreachable") || graph.ErrorCode(err) == graph.EINTERNAL {
			t.Errorf("%s: %v; want it to name %s", tc.uri, err, tc.want)
		}
	}
}

// TestTerminatedTransactionIsNamed terminates a running console query from
// another session, as issue 12's TERMINATE TRANSACTIONS did to the loader,
// and checks the error says it was terminated.
func TestTerminatedTransactionIsNamed(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)
	const marker = "terminate-me-0412"
	done := make(chan error, 1)
	go func() {
		_, err := s.ReadCypher(ctx, `UNWIND range(1, 200000000) AS i WITH i, $marker AS m WHERE i < 0 RETURN count(*)`, map[string]any{"marker": marker})
		done <- err
	}()
	admin := s.driver.NewSession(ctx, driverSessionConfig(s))
	defer admin.Close(context.Background())
	deadline := time.Now().Add(8 * time.Second)
	terminated := false
	for !terminated && time.Now().Before(deadline) {
		result, err := admin.Run(ctx, `SHOW TRANSACTIONS YIELD transactionId, parameters, currentQuery
			WHERE currentQuery STARTS WITH 'UNWIND range(1, 200000000)' RETURN transactionId`, nil)
		if err != nil {
			t.Fatal(err)
		}
		records, err := result.Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			if _, err := admin.Run(ctx, `TERMINATE TRANSACTIONS $id`, map[string]any{"id": r.Values[0]}); err != nil {
				t.Fatal(err)
			}
			terminated = true
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !terminated {
		t.Fatal("the console query never showed up in SHOW TRANSACTIONS")
	}
	err := <-done
	t.Logf("terminated: %v", err)
	if err == nil || !strings.Contains(err.Error(), "terminated") || strings.Contains(err.Error(), "unreachable") {
		t.Errorf("error %v; want it to say the transaction was terminated", err)
	}
	if code := graph.ErrorCode(err); code != graph.EUNAVAILABLE {
		t.Errorf("code %q, want %q", code, graph.EUNAVAILABLE)
	}
}

func driverSessionConfig(s *Store) driver.SessionConfig {
	return driver.SessionConfig{DatabaseName: s.database}
}

// TestClassifyNamesTheCause feeds describe the driver's own error values,
// as the driver builds them, for the failures issue 12 saw reported as
// "unreachable … is the server running?". The memory error's code is the one
// the dev server returned when a test's wipe exceeded its 512 MiB
// transaction memory pool.
func TestClassifyNamesTheCause(t *testing.T) {
	s := &Store{address: "bolt://127.0.0.1:7687", database: "neo4j"}
	refused := &driver.ConnectivityError{Inner: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	memory := &driver.Neo4jError{Code: "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
		Msg: "Unable to complete transaction.: The memory pool limit was exceeded."}
	for _, tc := range []struct {
		name string
		err  error
		code string
		want string
	}{
		{"memory pool", memory, graph.EUNAVAILABLE, "ran out of memory"},
		{"heap", &driver.Neo4jError{Code: "Neo.TransientError.General.OutOfMemoryError"}, graph.EUNAVAILABLE, "ran out of memory"},
		{"memory after retries", &driver.TransactionExecutionLimit{Cause: "timeout", Errors: []error{memory, memory}}, graph.EUNAVAILABLE, "ran out of memory"},
		{"terminated", &driver.Neo4jError{Code: "Neo.ClientError.Transaction.Terminated"}, graph.EUNAVAILABLE, "terminated on the server"},
		{"terminated (4.x code)", &driver.Neo4jError{Code: "Neo.TransientError.Transaction.Terminated"}, graph.EUNAVAILABLE, "terminated on the server"},
		{"lock client stopped", &driver.Neo4jError{Code: "Neo.TransientError.Transaction.LockClientStopped"}, graph.EUNAVAILABLE, "terminated on the server"},
		{"timed out", &driver.Neo4jError{Code: "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"}, graph.EUNAVAILABLE, "time limit"},
		{"deadlock", &driver.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected"}, graph.EUNAVAILABLE, "conflicted"},
		{"database unavailable", &driver.Neo4jError{Code: "Neo.TransientError.General.DatabaseUnavailable"}, graph.EUNAVAILABLE, `database "neo4j" is not available`},
		{"other transient", &driver.Neo4jError{Code: "Neo.TransientError.Network.CommunicationError"}, graph.EUNAVAILABLE, "passing failure"},
		{"wrong password", &driver.Neo4jError{Code: "Neo.ClientError.Security.Unauthorized"}, graph.EINVALID, "wrong username or password"},
		{"forbidden", &driver.Neo4jError{Code: "Neo.ClientError.Security.Forbidden"}, graph.EINVALID, "refused access"},
		{"no database", &driver.Neo4jError{Code: "Neo.ClientError.Database.DatabaseNotFound"}, graph.EINVALID, "does not exist"},
		{"refused", refused, graph.EUNAVAILABLE, "unreachable: nothing is listening"},
		{"refused after retries", &driver.TransactionExecutionLimit{Cause: "timeout", Errors: []error{refused, refused, refused}}, graph.EUNAVAILABLE, "unreachable: nothing is listening there (is the server running? scripts/neo4j start) (gave up after 3 attempts)"},
		{"not TLS", &driver.ConnectivityError{Inner: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}}, graph.EINVALID, "TLS handshake failed"},
		{"untrusted certificate", &driver.ConnectivityError{Inner: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}, graph.EINVALID, "TLS handshake failed"},
		{"closed", &driver.ConnectivityError{Inner: io.EOF}, graph.EUNAVAILABLE, "closed the connection"},
		{"reset", &driver.ConnectivityError{Inner: &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}, graph.EUNAVAILABLE, "closed the connection"},
		{"no such host", &driver.ConnectivityError{Inner: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "neo4j.invalid", IsNotFound: true}}}, graph.EUNAVAILABLE, "does not resolve"},
		{"deadline", context.DeadlineExceeded, graph.EUNAVAILABLE, "did not answer in time"},
		{"cancelled", context.Canceled, graph.EUNAVAILABLE, "cancelled"},
	} {
		err := s.describe(tc.err, "doing the thing", "")
		if graph.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (code %q); want code %q and %q", tc.name, err, graph.ErrorCode(err), tc.code, tc.want)
		}
		if tc.name != "refused" && !strings.HasPrefix(tc.name, "refused ") && strings.Contains(err.Error(), "unreachable") {
			t.Errorf("%s: %v; says unreachable", tc.name, err)
		}
	}
}

// TestDescribeCypherNamesMemoryLimits: a console query that asks for more
// memory than the server allows is the analyst's to change, a 400 that says
// so, not "unreachable".
func TestDescribeCypherNamesMemoryLimits(t *testing.T) {
	s := &Store{address: "bolt://127.0.0.1:7687", database: "neo4j"}
	err := s.describeCypher(&driver.Neo4jError{Code: "Neo.TransientError.General.MemoryPoolOutOfMemoryError", Msg: "The memory pool limit was exceeded."})
	if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), "more memory than the server allows") {
		t.Errorf("%v (code %q); want an EINVALID error about memory", err, graph.ErrorCode(err))
	}
	err = s.describeCypher(&driver.Neo4jError{Code: "Neo.ClientError.Transaction.Terminated"})
	if graph.ErrorCode(err) != graph.EUNAVAILABLE || !strings.Contains(err.Error(), "terminated") {
		t.Errorf("%v (code %q); want an EUNAVAILABLE error saying terminated", err, graph.ErrorCode(err))
	}
}

package wrapper_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// flowParallelism is how many goroutines per core run flows at once: enough for the server to
// be the limit rather than the latency of one exchange.
const flowParallelism = 16

var flowRequest = wrapper.SendOTPRequest{Recipient: "380501403813", Channel: wrapper.ChannelSMS, Sender: "SENDER", TemplateID: 1}

// BenchmarkSandboxFlows runs send + verify flows through the wrapper from many goroutines and
// reports flows per second, three ways in one run so that each figure explains the others:
//
//   - path=loopback: against the sandbox over loopback TCP, what the sandbox sustains;
//   - path=inprocess: against the sandbox called in process (no sockets), what the sandbox and
//     the wrapper cost in CPU without the network;
//   - path=floor: against a handler that only writes the documented answers, over loopback,
//     the most this client can reach on this machine whatever the server does.
func BenchmarkSandboxFlows(b *testing.B) {
	b.Run("path=loopback", func(b *testing.B) {
		srv := sandbox.New()
		ts := httptest.NewServer(srv)
		b.Cleanup(ts.Close)
		runFlows(b, newFlowClient(b, wrapper.WithBaseURL(ts.URL)), srv.LastCode)
	})
	b.Run("path=inprocess", func(b *testing.B) {
		srv := sandbox.New()
		hc := &http.Client{Transport: inProcess{srv}}
		runFlows(b, newFlowClient(b, wrapper.WithBaseURL("http://127.0.0.1"), wrapper.WithHTTPClient(hc)), srv.LastCode)
	})
	b.Run("path=floor", func(b *testing.B) {
		ts := httptest.NewServer(http.HandlerFunc(floorHandler))
		b.Cleanup(ts.Close)
		runFlows(b, newFlowClient(b, wrapper.WithBaseURL(ts.URL)), func(string) (string, bool) { return "123456", true })
	})
}

func newFlowClient(b *testing.B, opts ...wrapper.Option) *wrapper.Client {
	b.Helper()
	c, err := wrapper.New("sandbox-key", opts...)
	require.NoError(b, err)
	// Log in and open a connection before the clock starts.
	runFlow(b, c, nil)
	return c
}

func runFlows(b *testing.B, c *wrapper.Client, lastCode func(string) (string, bool)) {
	b.SetParallelism(flowParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	start := wrapper.ProcessCPUForTest()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !runFlow(b, c, lastCode) {
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
	// CPU per flow, client and server together: what bounds flows/s on an idle machine
	// (2 cores give 2e9 ns of CPU a second), and what the waits of a busy one do not change.
	if used := wrapper.ProcessCPUForTest() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// runFlow sends a code and verifies it; with lastCode nil it only sends.
func runFlow(b *testing.B, c *wrapper.Client, lastCode func(string) (string, bool)) bool {
	ctx := context.Background()
	a, err := c.SendOTP(ctx, flowRequest)
	if err != nil {
		b.Error(err)
		return false
	}
	if lastCode == nil {
		return true
	}
	code, ok := lastCode(a.ID)
	if !ok {
		b.Errorf("no code for %s", a.ID)
		return false
	}
	v, err := c.VerifyOTP(ctx, a.ID, code)
	if err != nil || v.Status != wrapper.StatusVerified {
		b.Errorf("verify: %v", err)
		return false
	}
	return true
}

// inProcess is a transport that hands each request to a handler directly.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// floorHandler answers login, send and verify with fixed bodies in the sandbox's shape.
func floorHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/login"):
		_, _ = io.WriteString(w, `{"bearer":"`+floorBearer+`"}`)
	case strings.HasSuffix(r.URL.Path, "/verify"):
		_, _ = io.WriteString(w, strings.Replace(floorSession, `"pending"`, `"verified"`, 1))
	default:
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, floorSession)
	}
}

// floorBearer is an unsigned bearer issued in 2020 that expires in 2100 (the client reads exp
// and iat, never the signature).
const floorBearer = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE1Nzc4MzY4MDAsImV4cCI6NDEwMjQ0NDgwMH0.c2ln"

const floorSession = `{"data":{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","recipient":"380501403813","status":"pending",
"channel":"sms","sender":"SENDER","message_text":"Your code is 123456","code_lifetime":300,"code_max_tries":3,
"code_digits":6,"price":"0,02","currency":"USD","country_code":"UA","expired_at":"2023-01-04 18:37:06",
"created_at":"2023-01-04 17:37:06","updated_at":"2023-01-04 17:37:06","finished_at":null,"messages":[]}}`

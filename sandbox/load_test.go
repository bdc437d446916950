package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/gen"
	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
)

// flowClient runs send + LastCode + verify over plain net/http, as cheaply as a client can.
type flowClient struct {
	url    string
	http   *http.Client
	auth   string
	server *sandbox.Server
}

func newFlowClient(tb testing.TB, srv *sandbox.Server, conns int) *flowClient {
	tb.Helper()
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	tb.Cleanup(tr.CloseIdleConnections)
	c := &flowClient{url: ts.URL, http: &http.Client{Transport: tr}, server: srv}
	status, body, err := c.post("/api/auth/login", `{"api_key":"k"}`)
	require.NoError(tb, err)
	require.Equal(tb, http.StatusOK, status, string(body))
	var tok gen.TokenResponse
	require.NoError(tb, json.Unmarshal(body, &tok))
	c.auth = "Bearer " + tok.Bearer
	return c
}

func (c *flowClient) post(path, body string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, c.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

var flowSend = `{"recipient":"380501403813","channel":"sms","sender":"SENDER","template_id":"1","code_lifetime":300,"code_max_tries":3,"code_digits":6}`

func (c *flowClient) flow() error {
	status, body, err := c.post("/api/2fa/authentications/otp", flowSend)
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("send: %d %s", status, body)
	}
	var sent struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &sent); err != nil {
		return err
	}
	code, ok := c.server.LastCode(sent.Data.ID)
	if !ok {
		return fmt.Errorf("no code for %s", sent.Data.ID)
	}
	status, body, err = c.post("/api/2fa/authentications/otp/"+sent.Data.ID+"/verify", `{"access_code":"`+code+`"}`)
	if err != nil {
		return err
	}
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"status":"verified"`)) {
		return fmt.Errorf("verify: %d %s", status, body)
	}
	return nil
}

func TestConcurrentFlows(t *testing.T) {
	srv := sandbox.New()
	c := newFlowClient(t, srv, 64)
	const flows = 1000
	errs := make(chan error, flows)
	var wg sync.WaitGroup
	for range flows {
		wg.Go(func() { errs <- c.flow() })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	hc, err := gen.NewClientWithResponses(c.url, gen.WithHTTPClient(c.http), gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", c.auth)
		return nil
	}))
	require.NoError(t, err)
	verified := gen.AuthenticationStatusVerified
	// The default clock is the real one; a day either side keeps midnight out of the way.
	now := time.Now().UTC()
	list, err := hc.ListAuthenticationsWithResponse(context.Background(), &gen.ListAuthenticationsParams{
		FilterFrom:   now.AddDate(0, 0, -1).Format("2006-01-02"),
		FilterTo:     now.AddDate(0, 0, 1).Format("2006-01-02"),
		FilterStatus: &verified,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	assert.Equal(t, flows, list.JSON200.Data.Total)
}

func TestLogging(t *testing.T) {
	var buf testkit.SyncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	e := setup(t, sandbox.WithLogger(logger))
	e.login()
	id, code := e.send("380979965073", 300, 3, 6)
	status, _, _ := e.do(http.MethodPost, otpPath+"/"+id+"/verify", `{"access_code":"`+code+`"}`)
	require.Equal(t, http.StatusOK, status)

	out := buf.String()
	assert.Contains(t, out, "msg=\"code sent\"")
	assert.Contains(t, out, "code="+code)
	assert.Contains(t, out, "recipient=380******073")
	assert.Contains(t, out, "status=201")
	assert.Contains(t, out, "path=/api/2fa/authentications/otp/"+id+"/verify")
	assert.NotContains(t, out, "380979965073")
	assert.NotContains(t, out, "test-key")
	assert.NotContains(t, out, e.bearer)
}

// BenchmarkSendVerifyFlowParallel measures whole flows (send, LastCode, verify) over loopback
// with keep-alive, request validation included.
func BenchmarkSendVerifyFlowParallel(b *testing.B) {
	srv := sandbox.New()
	c := newFlowClient(b, srv, 256)
	// Many clients at once, as a login path under load has: with one goroutine per core the
	// benchmark would measure loopback latency, not what the sandbox sustains.
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := c.flow(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkLoopbackFloorParallel is the same client against a handler that does nothing but
// answer: the most any handler can reach on this machine, to read the sandbox's figure against.
func BenchmarkLoopbackFloorParallel(b *testing.B) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"data":{"id":"bf4381c8-9d4a-4705-bd28-f89a830b7f96","status":"verified"}}`)
	}))
	b.Cleanup(ts.Close)
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
	b.Cleanup(tr.CloseIdleConnections)
	c := &flowClient{url: ts.URL, http: &http.Client{Transport: tr}}
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for range 2 {
				if _, _, err := c.post("/", flowSend); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkSendVerifyFlowInProcess measures what the sandbox itself costs per flow, request
// validation included, with the network left out (handler called with a recorder).
func BenchmarkSendVerifyFlowInProcess(b *testing.B) {
	srv := sandbox.New()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, jsonRequest(http.MethodPost, "/api/auth/login", `{"api_key":"k"}`, ""))
	var tok gen.TokenResponse
	require.NoError(b, json.Unmarshal(rec.Body.Bytes(), &tok))
	auth := "Bearer " + tok.Bearer
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, jsonRequest(http.MethodPost, "/api/2fa/authentications/otp", flowSend, auth))
			var sent struct {
				Data struct {
					ID string `json:"id"`
				} `json:"data"`
			}
			if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &sent) != nil {
				b.Errorf("send: %d %s", rec.Code, rec.Body)
				return
			}
			code, _ := srv.LastCode(sent.Data.ID)
			rec = httptest.NewRecorder()
			srv.ServeHTTP(rec, jsonRequest(http.MethodPost, "/api/2fa/authentications/otp/"+sent.Data.ID+"/verify", `{"access_code":"`+code+`"}`, auth))
			if rec.Code != http.StatusOK {
				b.Errorf("verify: %d %s", rec.Code, rec.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

func jsonRequest(method, path, body, auth string) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

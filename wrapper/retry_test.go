package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryDecision(t *testing.T) {
	p := retryPolicy{maxRetries: 2, base: 200 * time.Millisecond, max: 5 * time.Second, retryAfterCap: 30 * time.Second}
	wrap := func(err error) error { return &url.Error{Op: "Post", URL: "https://example.com/x", Err: err} }
	dialRefused := wrap(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "x"}})
	refused := wrap(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	reset := wrap(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
	eof := wrap(io.EOF)
	timeout := wrap(&net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}})
	canceled := wrap(context.Canceled)
	deadline := wrap(context.DeadlineExceeded)
	certErr := wrap(errors.New("x509: certificate signed by unknown authority"))

	const (
		get  = http.MethodGet
		post = http.MethodPost
		del  = http.MethodDelete
	)
	tests := []struct {
		name      string
		in        retryInput
		wantRetry bool
		wantWait  time.Duration // when retried
	}{
		// GET: connection errors and 429/500/502/503/504.
		{name: "GET 500", in: retryInput{method: get, status: 500}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET 502", in: retryInput{method: get, status: 502}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET 503", in: retryInput{method: get, attempt: 1, status: 503}, wantRetry: true, wantWait: 300 * time.Millisecond},
		{name: "GET 504", in: retryInput{method: get, status: 504}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET 429", in: retryInput{method: get, status: 429}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET 501 is not retried", in: retryInput{method: get, status: 501}},
		{name: "GET 400", in: retryInput{method: get, status: 400}},
		{name: "GET 401", in: retryInput{method: get, status: 401}},
		{name: "GET 404", in: retryInput{method: get, status: 404}},
		{name: "GET 422", in: retryInput{method: get, status: 422}},
		{name: "GET reset", in: retryInput{method: get, err: reset}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET EOF", in: retryInput{method: get, err: eof}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET network timeout", in: retryInput{method: get, err: timeout}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET dial", in: retryInput{method: get, err: refused}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET canceled", in: retryInput{method: get, err: canceled}},
		{name: "GET deadline", in: retryInput{method: get, err: deadline}},
		{name: "GET certificate", in: retryInput{method: get, err: certErr}},
		{name: "GET out of attempts", in: retryInput{method: get, attempt: 2, status: 503}},

		// POST: only failures to connect, where the request provably never left. Not even a
		// 429: the service's 429 refuses a duplicate of a send it is still handling.
		{name: "POST 429", in: retryInput{method: post, status: 429}},
		{name: "POST 429 with Retry-After", in: retryInput{method: post, status: 429, retryAfter: time.Second, hasRetryAfter: true}},
		{name: "POST 500", in: retryInput{method: post, status: 500}},
		{name: "POST 502", in: retryInput{method: post, status: 502}},
		{name: "POST 503", in: retryInput{method: post, status: 503}},
		{name: "POST 503 with Retry-After", in: retryInput{method: post, status: 503, retryAfter: time.Second, hasRetryAfter: true}},
		{name: "POST 504", in: retryInput{method: post, status: 504}},
		{name: "POST reset", in: retryInput{method: post, err: reset}},
		{name: "POST EOF", in: retryInput{method: post, err: eof}},
		{name: "POST timeout", in: retryInput{method: post, err: timeout}},
		{name: "POST deadline", in: retryInput{method: post, err: deadline}},
		{name: "POST connection refused", in: retryInput{method: post, err: refused}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "POST DNS failure", in: retryInput{method: post, attempt: 1, err: dialRefused}, wantRetry: true, wantWait: 300 * time.Millisecond},
		{name: "POST bare ECONNREFUSED", in: retryInput{method: post, err: syscall.ECONNREFUSED}, wantRetry: true, wantWait: 150 * time.Millisecond},

		// DELETE: like POST.
		{name: "DELETE 429", in: retryInput{method: del, status: 429}},
		{name: "DELETE 500", in: retryInput{method: del, status: 500}},
		{name: "DELETE reset", in: retryInput{method: del, err: reset}},
		{name: "DELETE dial", in: retryInput{method: del, err: refused}, wantRetry: true, wantWait: 150 * time.Millisecond},

		// Retry-After: honoured up to the cap, beyond it no retry at all; never shorter than
		// the backoff, so 0 (or a date in the past, read as 0) does not retry at once.
		{name: "GET 429 Retry-After 0", in: retryInput{method: get, status: 429, hasRetryAfter: true}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET 429 Retry-After 0, second retry", in: retryInput{method: get, attempt: 1, status: 429, hasRetryAfter: true}, wantRetry: true, wantWait: 300 * time.Millisecond},
		{name: "GET 429 Retry-After shorter than the backoff", in: retryInput{method: get, status: 429, retryAfter: 100 * time.Millisecond, hasRetryAfter: true}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET 429 Retry-After 1s", in: retryInput{method: get, status: 429, retryAfter: time.Second, hasRetryAfter: true}, wantRetry: true, wantWait: time.Second},
		{name: "GET 429 Retry-After at cap", in: retryInput{method: get, status: 429, retryAfter: 30 * time.Second, hasRetryAfter: true}, wantRetry: true, wantWait: 30 * time.Second},
		{name: "GET 429 Retry-After over cap", in: retryInput{method: get, status: 429, retryAfter: 31 * time.Second, hasRetryAfter: true}},
		{name: "GET 503 Retry-After 0", in: retryInput{method: get, status: 503, hasRetryAfter: true}, wantRetry: true, wantWait: 150 * time.Millisecond},
		{name: "GET 503 Retry-After 2s", in: retryInput{method: get, status: 503, retryAfter: 2 * time.Second, hasRetryAfter: true}, wantRetry: true, wantWait: 2 * time.Second},
		{name: "GET 503 Retry-After over cap", in: retryInput{method: get, status: 503, retryAfter: time.Minute, hasRetryAfter: true}},
		{name: "GET 500 ignores Retry-After", in: retryInput{method: get, status: 500, retryAfter: time.Minute, hasRetryAfter: true}, wantRetry: true, wantWait: 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, why := p.classify(tt.in)
			assert.Equal(t, tt.wantRetry, retry, why)
			assert.NotEmpty(t, why)
			if retry {
				assert.Equal(t, tt.wantWait, p.delay(tt.in, 0.5))
			}
		})
	}

	t.Run("no retries configured", func(t *testing.T) {
		p := p
		p.maxRetries = 0
		retry, why := p.classify(retryInput{method: get, status: 503})
		assert.False(t, retry)
		assert.Equal(t, "no retries left", why)
		// A final outcome says why it is final, retries left or not.
		_, why = p.classify(retryInput{method: get, status: 404})
		assert.Equal(t, "the status is final", why)
		_, why = p.classify(retryInput{method: post, status: 503})
		assert.Equal(t, "POST may have reached the service", why)
	})
}

// timeoutErr is a network timeout.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestBackoff(t *testing.T) {
	p := retryPolicy{base: 200 * time.Millisecond, max: 5 * time.Second}
	tests := []struct {
		attempt  int
		jitter   float64
		min, max time.Duration
	}{
		{0, 0, 100 * time.Millisecond, 100 * time.Millisecond},
		{0, 0.999, 100 * time.Millisecond, 200 * time.Millisecond},
		{1, 0, 200 * time.Millisecond, 200 * time.Millisecond},
		{2, 0.999, 400 * time.Millisecond, 800 * time.Millisecond},
		{5, 0.999, 2500 * time.Millisecond, 5 * time.Second},
		{40, 0.999, 2500 * time.Millisecond, 5 * time.Second},
		{1000, 0, 2500 * time.Millisecond, 2500 * time.Millisecond},
	}
	for _, tt := range tests {
		d := p.backoff(tt.attempt, tt.jitter)
		assert.GreaterOrEqual(t, d, tt.min, "attempt %d", tt.attempt)
		assert.LessOrEqual(t, d, tt.max, "attempt %d", tt.attempt)
	}
}

var sendReq = SendOTPRequest{Recipient: "380979965073", Channel: ChannelSMS, Sender: "SHOP", TemplateID: 12}

func TestRetryLoop(t *testing.T) {
	type outcome struct {
		status int
		header map[string]string
	}
	tests := []struct {
		name      string
		post      bool
		answers   []outcome // one per request; the last repeats
		maxRetry  int
		wantReqs  int32
		wantErr   error
		wantRetry time.Duration
	}{
		{"POST 500 is never repeated", true, []outcome{{500, nil}}, 2, 1, ErrServiceUnavailable, 0},
		{"POST 502 is never repeated", true, []outcome{{502, nil}}, 2, 1, ErrServiceUnavailable, 0},
		{"POST 503 with Retry-After is never repeated", true, []outcome{{503, map[string]string{"Retry-After": "0"}}}, 2, 1, ErrServiceUnavailable, 0},
		{"GET 503 three times", false, []outcome{{503, nil}}, 2, 3, ErrServiceUnavailable, 0},
		{"GET 503 then success", false, []outcome{{503, nil}, {200, nil}}, 2, 2, nil, 0},
		{"GET 500 without retries", false, []outcome{{500, nil}}, 0, 1, ErrServiceUnavailable, 0},
		{"POST 429 is never repeated", true, []outcome{{429, map[string]string{"Retry-After": "0"}}}, 2, 1, ErrRateLimited, 0},
		{"POST 429 without Retry-After is never repeated", true, []outcome{{429, nil}}, 2, 1, ErrRateLimited, 0},
		{"POST 429 Retry-After above cap", true, []outcome{{429, map[string]string{"Retry-After": "3600"}}}, 2, 1, ErrRateLimited, time.Hour},
		{"GET 429 Retry-After 0 then success", false, []outcome{{429, map[string]string{"Retry-After": "0"}}, {200, nil}}, 2, 2, nil, 0},
		{"GET 429 Retry-After 1 then success", false, []outcome{{429, map[string]string{"Retry-After": "1"}}, {200, nil}}, 2, 2, nil, 0},
		{"GET 429 HTTP-date Retry-After in the past", false, []outcome{{429, map[string]string{"Retry-After": "Mon, 02 Jan 2006 15:04:05 GMT"}}, {200, nil}}, 2, 2, nil, 0},
		{"GET 429 garbage Retry-After uses backoff", false, []outcome{{429, map[string]string{"Retry-After": "soon"}}, {200, nil}}, 2, 2, nil, 0},
		{"GET 429 persistent", false, []outcome{{429, map[string]string{"Retry-After": "0"}}}, 2, 3, ErrRateLimited, 0},
		{"GET 429 Retry-After above cap", false, []outcome{{429, map[string]string{"Retry-After": "3600"}}}, 2, 1, ErrRateLimited, time.Hour},
		{"GET 404 is not repeated", false, []outcome{{404, nil}}, 2, 1, ErrAuthenticationNotFound, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t, WithMaxRetries(tt.maxRetry))
			var n atomic.Int32
			var bodies []string
			h := func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				b, _ := io.ReadAll(r.Body)
				bodies = append(bodies, string(b))
				o := tt.answers[min(i, len(tt.answers)-1)]
				for k, v := range o.header {
					w.Header().Set(k, v)
				}
				if o.status < 300 {
					if tt.post {
						writeJSON(w, o.status, sendBody)
					} else {
						writeJSON(w, o.status, statusBody)
					}
					return
				}
				writeJSON(w, o.status, `{"message":"nope"}`)
			}
			var err error
			if tt.post {
				mux.HandleFunc("POST /api/2fa/authentications/otp", h)
				_, err = c.SendOTP(context.Background(), sendReq)
			} else {
				mux.HandleFunc("GET /api/2fa/authentications/{id}", h)
				_, err = c.GetAuthentication(context.Background(), statusID)
			}
			assert.Equal(t, tt.wantReqs, n.Load(), "requests seen by the server")
			for _, b := range bodies {
				assert.Equal(t, bodies[0], b, "the same body on every attempt")
			}
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.answers[len(tt.answers)-1].status, apiErr.StatusCode)
			if tt.wantRetry > 0 {
				assert.Equal(t, tt.wantRetry, apiErr.RetryAfter)
			}
		})
	}
}

func TestRetryAfterCapOption(t *testing.T) {
	c, mux, _ := setup(t, WithRetryAfterCap(0))
	var n atomic.Int32
	mux.HandleFunc("GET /api/2fa/authentications/{id}", counter(&n, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, `{"message":"Too many duplicate request detected"}`)
	}))
	_, err := c.GetAuthentication(context.Background(), statusID)
	require.ErrorIs(t, err, ErrRateLimited)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Second, apiErr.RetryAfter)
	assert.Equal(t, int32(1), n.Load())
}

func TestRetryConnectionRefused(t *testing.T) {
	// A closed port: the request never leaves, so even a POST is tried again.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	c, err := New("", WithToken("opaque"), WithBaseURL("http://"+addr), WithMaxRetries(2))
	require.NoError(t, err)
	fastRetries(c)
	var attempts atomic.Int32
	c.httpClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	_, err = c.SendOTP(context.Background(), sendReq)
	require.Error(t, err)
	assert.True(t, neverSent(err), "a dial error: %v", err)
	assert.Equal(t, int32(3), attempts.Load())
}

func TestPostNotRepeatedAfterDroppedConnection(t *testing.T) {
	c, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("POST /api/2fa/authentications/otp", counter(&n, func(w http.ResponseWriter, r *http.Request) {
		// The request arrived (an SMS may be on its way) and the connection drops.
		hj, ok := w.(http.Hijacker)
		require.True(t, ok)
		conn, _, err := hj.Hijack()
		require.NoError(t, err)
		_ = conn.Close()
	}))
	_, err := c.SendOTP(context.Background(), sendReq)
	require.Error(t, err)
	assert.Equal(t, int32(1), n.Load())

	var g atomic.Int32
	mux.HandleFunc("GET /api/2fa/authentications/{id}", counter(&g, func(w http.ResponseWriter, r *http.Request) {
		if g.Load() == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return
		}
		writeJSON(w, http.StatusOK, statusBody)
	}))
	_, err = c.GetAuthentication(context.Background(), statusID)
	require.NoError(t, err, "a GET is repeated after a dropped connection")
	assert.Equal(t, int32(2), g.Load())
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	c, mux, _ := setup(t)
	c.retry.base, c.retry.max = time.Hour, time.Hour // a wait only the context can end
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int32
	mux.HandleFunc("GET /api/2fa/authentications/{id}", counter(&n, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusServiceUnavailable, `{"message":"down"}`)
		cancel()
	}))
	done := make(chan error, 1)
	go func() {
		_, err := c.GetAuthentication(ctx, statusID)
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("the backoff did not end with the context")
	}
	assert.Equal(t, int32(1), n.Load())
}

func TestContextCancelledDuringRetryAfter(t *testing.T) {
	// A GET, which waits for a Retry-After (a send is not repeated after a 429 at all).
	c, mux, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "25")
		writeJSON(w, http.StatusTooManyRequests, `{"message":"slow down"}`)
		cancel()
	})
	_, err := c.GetAuthentication(ctx, statusID)
	assert.ErrorIs(t, err, context.Canceled)
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRewindKeepsBody(t *testing.T) {
	// Every attempt of a POST with a body sends the same bytes, read from the start: here
	// the repetition after a refused bearer and a new login.
	c, mux, _ := setup(t)
	var bodies []string
	mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/verify", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if len(bodies) < 2 {
			writeJSON(w, http.StatusUnauthorized, `{"message":"Unauthenticated."}`)
			return
		}
		writeJSON(w, http.StatusOK, statusBody)
	})
	_, err := c.VerifyOTP(context.Background(), statusID, "12345")
	require.NoError(t, err)
	require.Len(t, bodies, 2)
	for i, b := range bodies {
		assert.JSONEq(t, `{"access_code":"12345"}`, b, "attempt %s", strconv.Itoa(i+1))
	}
}

// TestRetryDecisionsAreLogged: after a failed attempt the debug log says whether it is
// repeated and why, in the policy's words.
func TestRetryDecisionsAreLogged(t *testing.T) {
	var logs testkit.SyncBuffer
	c, mux, _ := setup(t, WithLogger(debugLogger(&logs)))
	var calls atomic.Int32
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			writeJSON(w, http.StatusServiceUnavailable, `{"message":"down"}`)
			return
		}
		writeJSON(w, http.StatusNotFound, `{"message":"Authentication not found"}`)
	})
	_, err := c.GetAuthentication(context.Background(), statusID)
	require.ErrorIs(t, err, ErrAuthenticationNotFound)

	var decisions []string
	for line := range strings.Lines(logs.String()) {
		var entry struct {
			Msg   string `json:"msg"`
			Retry bool   `json:"retry"`
			Why   string `json:"why"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &entry))
		if entry.Msg == "bsg2fa retry decision" {
			decisions = append(decisions, strconv.FormatBool(entry.Retry)+": "+entry.Why)
		}
	}
	assert.Equal(t, []string{"true: a transient status", "false: the status is final"}, decisions)
}

// TestDialFailureRetriedWhateverTheCode: a POST that provably never left is repeated even when
// the dial error's text holds the verify code's number form (an IP octet, a port) and is
// shown with it hidden: the policy judges the error as it came.
func TestDialFailureRetriedWhateverTheCode(t *testing.T) {
	tests := []struct {
		name string
		code string
	}{
		{name: "code unrelated to the error", code: "123456"},
		{name: "code 000001 reads as 1, an octet of the address", code: "000001"},
		{name: "code 0443 reads as 443, the port", code: "0443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dials atomic.Int32
			tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 443},
					Err: syscall.ENETUNREACH}
			}}
			c, err := New("", WithToken(testkit.JWTAt(time.Now(), time.Now().Add(time.Hour))),
				WithBaseURL("http://127.0.0.1:1"), WithHTTPClient(&http.Client{Transport: tr}))
			require.NoError(t, err)
			fastRetries(c)
			_, err = c.VerifyOTP(context.Background(), statusID, tt.code)
			require.Error(t, err)
			assert.Equal(t, int32(1+DefaultMaxRetries), dials.Load(), "every attempt dialled")
			assert.NotContains(t, err.Error(), tt.code)
		})
	}
}

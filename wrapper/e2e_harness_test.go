package wrapper_test

// End-to-end tests: the wrapper against the sandbox, two independent readings of the spec,
// over loopback HTTP. Every operation and every state transition of a session and of a
// template is driven through the public API, with the sandbox's clock moved by hand so that
// expiry, delivery and token lifetimes need no sleeping.
//
// This file holds the harness: the sandbox, its clients and the helpers the e2e_*_test.go
// files share.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

const (
	e2eKey       = "e2e-api-key"
	e2eUA        = "380671234567" // Ukraine
	e2eAuthsPath = "/api/2fa/authentications"
	e2eTmplPath  = "/api/2fa/authentications/templates"
	e2eLogin     = "POST /api/auth/login"
	e2eRefresh   = "POST /api/auth/refresh"
	e2eMsgPrice  = "0.0642918" // the sandbox's default message price
	e2eUnknownID = "00000000-0000-4000-8000-000000000000"
)

// e2eStart is where every sandbox clock starts.
var e2eStart = time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)

// e2eEnv is one sandbox behind an httptest server, a client logged in with e2eKey, and the
// counts of the requests the sandbox received ("METHOD /path") and of the statuses it sent.
type e2eEnv struct {
	t     *testing.T
	clock *testkit.Clock
	sb    *sandbox.Server
	srv   *httptest.Server
	c     *wrapper.Client

	mu       sync.Mutex
	hits     map[string]int
	statuses map[int]int
}

// newE2E starts a sandbox with a fake clock, a seeded random source (so codes and ids are
// the same on every run) and opts, and a client for it.
func newE2E(t *testing.T, opts ...sandbox.Option) *e2eEnv {
	t.Helper()
	e := &e2eEnv{t: t, clock: testkit.NewClockAt(e2eStart), hits: map[string]int{}, statuses: map[int]int{}}
	base := []sandbox.Option{
		sandbox.WithClock(e.clock.Now),
		sandbox.WithRand(rand.NewChaCha8([32]byte{'e', '2', 'e'})),
	}
	e.sb = sandbox.New(append(base, opts...)...)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &e2eRecorder{ResponseWriter: w, status: http.StatusOK}
		e.sb.ServeHTTP(rec, r)
		e.mu.Lock()
		e.hits[r.Method+" "+r.URL.Path]++
		e.statuses[rec.status]++
		e.mu.Unlock()
	}))
	t.Cleanup(e.srv.Close)
	e.c = e.client(e2eKey)
	return e
}

type e2eRecorder struct {
	http.ResponseWriter
	status int
}

func (r *e2eRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// client makes another client of the same sandbox, whose answers are checked against
// api/bsg-2fa.yaml, so that each scenario here is also a check of the sandbox's shapes and
// status codes, unless opts bring an http.Client of their own.
func (e *e2eEnv) client(key string, opts ...wrapper.Option) *wrapper.Client {
	e.t.Helper()
	hc := &http.Client{Transport: testkit.NewSpecTransport(e.t, e.srv.Client().Transport)}
	base := []wrapper.Option{wrapper.WithBaseURL(e.srv.URL), wrapper.WithHTTPClient(hc)}
	c, err := wrapper.New(key, append(base, opts...)...)
	require.NoError(e.t, err)
	return c
}

func (e *e2eEnv) hitsOf(key string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.hits[key]
}

func (e *e2eEnv) statusCount(code int) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.statuses[code]
}

// send opens a session that must succeed.
func (e *e2eEnv) send(req wrapper.SendOTPRequest) *wrapper.Authentication {
	e.t.Helper()
	a, err := e.c.SendOTP(context.Background(), req)
	require.NoError(e.t, err)
	return a
}

// code is the code the sandbox sent last for id.
func (e *e2eEnv) code(id string) string {
	e.t.Helper()
	code, ok := e.sb.LastCode(id)
	require.True(e.t, ok, "no code for %s", id)
	return code
}

func (e *e2eEnv) get(id string) *wrapper.Authentication {
	e.t.Helper()
	a, err := e.c.GetAuthentication(context.Background(), id)
	require.NoError(e.t, err)
	return a
}

// verify, cancel and fail move a pending session to a final state.
func (e *e2eEnv) verify(id string) {
	e.t.Helper()
	_, err := e.c.VerifyOTP(context.Background(), id, e.code(id))
	require.NoError(e.t, err)
}

func (e *e2eEnv) cancel(id string) {
	e.t.Helper()
	_, err := e.c.CancelOTP(context.Background(), id)
	require.NoError(e.t, err)
}

func (e *e2eEnv) fail(id string) {
	e.t.Helper()
	for {
		_, err := e.c.VerifyOTP(context.Background(), id, e2eWrong(e.code(id)))
		if errors.Is(err, wrapper.ErrAttemptsExceeded) {
			return
		}
		require.ErrorIs(e.t, err, wrapper.ErrWrongCode)
	}
}

// expire lets a session of the default 5-minute lifetime run out.
func (e *e2eEnv) expire(string) { e.clock.Advance(5*time.Minute + time.Second) }

// raw sends a plain HTTP request, with a bearer from a plain login when bearer is set.
func (e *e2eEnv) raw(method, path, body string, bearer bool) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	if bearer {
		_, tok := e.raw(http.MethodPost, "/api/auth/login", `{"api_key":"`+e2eKey+`"}`, false)
		var login struct{ Bearer string }
		require.NoError(e.t, json.Unmarshal([]byte(tok), &login))
		req.Header.Set("Authorization", "Bearer "+login.Bearer)
	}
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp.StatusCode, string(b)
}

func e2eSMS(recipient string) wrapper.SendOTPRequest {
	return wrapper.SendOTPRequest{Recipient: recipient, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: 1}
}

// e2eWrong is a code of the same length that differs from code.
func e2eWrong(code string) string {
	b := []byte(code)
	b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10
	return string(b)
}

// e2eRequireErr checks that err matches want and carries the HTTP status the service sent.
func e2eRequireErr(t *testing.T, err error, want error, status int) {
	t.Helper()
	require.ErrorIs(t, err, want)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.StatusCode)
}

func e2eSameTime(t *testing.T, want, got time.Time, field string) {
	t.Helper()
	assert.True(t, want.Equal(got), "%s: want %s, got %s", field, want, got)
}

func e2eIDs(as []wrapper.Authentication) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}

func e2eTemplateIDs(ts []wrapper.Template) []int {
	ids := make([]int, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

// e2eRewrite replaces the text of every template the client creates, to send what the
// wrapper's own checks refuse and read the service's answer through the wrapper.
type e2eRewrite struct {
	next http.RoundTripper
	text string
}

func (r e2eRewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.URL.Path != e2eTmplPath {
		return r.next.RoundTrip(req)
	}
	var body map[string]any
	err := json.NewDecoder(req.Body).Decode(&body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	body["text"] = r.text
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return r.next.RoundTrip(out)
}

// e2eWalk collects id(item) of every item seq yields, stopping after stop items (0: all);
// an error fails the test.
func e2eWalk[T, K any](t *testing.T, seq iter.Seq2[T, error], stop int, id func(T) K) []K {
	t.Helper()
	var got []K
	for item, err := range seq {
		require.NoError(t, err)
		got = append(got, id(item))
		if len(got) == stop {
			break
		}
	}
	return got
}

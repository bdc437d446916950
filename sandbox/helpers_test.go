package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/gen"
	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
)

// newClock is the clock of the black-box tests, at a fixed instant.
func newClock() *testkit.Clock {
	return testkit.NewClockAt(time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC))
}

// env is one sandbox behind httptest with a validating client.
type env struct {
	t      *testing.T
	srv    *sandbox.Server
	url    string
	http   *http.Client
	client *gen.ClientWithResponses
	clock  *testkit.Clock
	bearer string
}

func setup(t *testing.T, opts ...sandbox.Option) *env {
	t.Helper()
	clock := newClock()
	opts = append([]sandbox.Option{
		sandbox.WithClock(clock.Now),
		sandbox.WithAPIKey("test-key"),
		sandbox.WithRand(rand.NewChaCha8([32]byte{1, 2, 3})),
	}, opts...)
	srv := sandbox.New(opts...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	hc := &http.Client{Transport: testkit.NewSpecTransport(t, http.DefaultTransport)}
	e := &env{t: t, srv: srv, url: ts.URL, http: hc, clock: clock}
	client, err := gen.NewClientWithResponses(ts.URL, gen.WithHTTPClient(hc), gen.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		if e.bearer != "" {
			r.Header.Set("Authorization", "Bearer "+e.bearer)
		}
		return nil
	}))
	require.NoError(t, err)
	e.client = client
	return e
}

func (e *env) login() {
	e.t.Helper()
	resp, err := e.client.LoginWithResponse(context.Background(), gen.LoginRequest{ApiKey: "test-key"})
	require.NoError(e.t, err)
	require.Equal(e.t, http.StatusOK, resp.StatusCode(), string(resp.Body))
	e.bearer = resp.JSON200.Bearer
}

// do sends a raw request with the current bearer and returns status and body.
func (e *env) do(method, path, body string) (int, string, http.Header) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	require.NoError(e.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+e.bearer)
	}
	resp, err := e.http.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp.StatusCode, strings.TrimSpace(string(b)), resp.Header
}

// sendBody is a valid send request for the default template.
func sendBody(recipient string, lifetime, tries, digits int) string {
	b, _ := json.Marshal(map[string]any{
		"recipient": recipient, "channel": "sms", "sender": "SENDER", "template_id": "1",
		"code_lifetime": lifetime, "code_max_tries": tries, "code_digits": digits,
	})
	return string(b)
}

// send opens a session and returns its id and code.
func (e *env) send(recipient string, lifetime, tries, digits int) (string, string) {
	e.t.Helper()
	status, body, _ := e.do(http.MethodPost, "/api/2fa/authentications/otp", sendBody(recipient, lifetime, tries, digits))
	require.Equal(e.t, http.StatusCreated, status, body)
	var out gen.AuthenticationResponse
	require.NoError(e.t, json.Unmarshal([]byte(body), &out))
	code, ok := e.srv.LastCode(out.Data.Id)
	require.True(e.t, ok)
	return out.Data.Id, code
}

func rule(msg string) string {
	b, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"message": msg}}})
	return string(b)
}

func decode[T any](t testing.TB, body string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(body), &v), body)
	return v
}

package verify_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/redistest"
	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/verify/redisstore"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// testKey is the API key of every test.
const testKey = "verify-test-key-5d41c0"

// Phone numbers of the tests: valid Ukrainian and German mobiles.
const (
	phoneUA = "380979965073"
	phoneDE = "4915112345678"
)

// The operations counted at the sandbox.
const (
	opSend   = "send"
	opResend = "resend"
	opVerify = "verify"
	opCancel = "cancel"
	opOther  = "other"
)

// opOf names the operation of a request to the service.
func opOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case r.Method != http.MethodPost:
		return opOther
	case p == "/api/2fa/authentications/otp":
		return opSend
	case strings.HasSuffix(p, "/resend"):
		return opResend
	case strings.HasSuffix(p, "/verify"):
		return opVerify
	case strings.HasSuffix(p, "/cancel"):
		return opCancel
	}
	return opOther
}

// counter counts the requests that reach the sandbox by operation, and may run a function
// before the sandbox answers one (to stop Redis in the middle of a Start, say).
type counter struct {
	mu     sync.Mutex
	n      map[string]int
	before func(op string)
}

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := opOf(r)
		c.mu.Lock()
		c.n[op]++
		before := c.before
		c.mu.Unlock()
		if before != nil {
			before(op)
		}
		h.ServeHTTP(w, r)
	})
}

func (c *counter) get(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

// total counts every request, logins included.
func (c *counter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}

func (c *counter) setBefore(f func(op string)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.before = f
}

// env is a sandbox over real HTTP with a fake clock.
type env struct {
	clock *testkit.Clock
	sb    *sandbox.Server
	calls *counter
	url   string
}

func newEnv(t testing.TB, opts ...sandbox.Option) *env {
	t.Helper()
	e := &env{clock: testkit.NewClock(), calls: &counter{n: map[string]int{}}}
	opts = append([]sandbox.Option{sandbox.WithAPIKey(testKey), sandbox.WithClock(e.clock.Now)}, opts...)
	e.sb = sandbox.New(opts...)
	ts := httptest.NewServer(e.calls.wrap(e.sb))
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

// client returns a new wrapper.Client of the sandbox, as each replica has its own.
func (e *env) client(t testing.TB) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(testKey, wrapper.WithBaseURL(e.url))
	require.NoError(t, err)
	return c
}

// config is the Config of the tests, on the env's clock.
func (e *env) config(store verify.Store) verify.Config {
	return verify.Config{Sender: "BSG", TemplateID: 1, Store: store, Now: e.clock.Now}
}

// verifier returns a Verifier with its own wrapper.Client; edit changes the test Config.
func (e *env) verifier(t testing.TB, store verify.Store, edit ...func(*verify.Config)) *verify.Verifier {
	t.Helper()
	cfg := e.config(store)
	for _, f := range edit {
		f(&cfg)
	}
	v, err := verify.New(e.client(t), cfg)
	require.NoError(t, err)
	return v
}

// code is the code the sandbox sent last for the session.
func (e *env) code(t testing.TB, id string) string {
	t.Helper()
	c, ok := e.sb.LastCode(id)
	require.True(t, ok, "no code for %s", id)
	return c
}

// wrongCode is a code of the same length that is not c.
func wrongCode(c string) string {
	b := []byte(c)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// storeKind makes the Stores of one kind for a test: several calls on one test share the
// backing store (as replicas share one Redis).
type storeKind struct {
	name string
	open func(t testing.TB) func() verify.Store
}

var storeKinds = []storeKind{
	{"memory", func(testing.TB) func() verify.Store {
		s := verify.NewMemoryStore()
		return func() verify.Store { return s }
	}},
	{"redis", func(t testing.TB) func() verify.Store {
		srv := redistest.Start(t)
		prefix := uniquePrefix()
		return func() verify.Store { return redisstore.New(srv.Client(t), redisstore.WithPrefix(prefix)) }
	}},
}

// eachStore runs f once per kind of store.
func eachStore(t *testing.T, f func(t *testing.T, store func() verify.Store)) {
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) { f(t, k.open(t)) })
	}
}

// uniquePrefix is a key prefix no other test uses.
func uniquePrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "test:" + hex.EncodeToString(b[:]) + ":"
}

// roundTrips counts the round trips a go-redis client makes: each command and each pipeline.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// count returns how many round trips f made.
func (h *roundTrips) count(f func()) int {
	before := h.n.Load()
	f()
	return int(h.n.Load() - before)
}

// ukrainian returns the i-th of many distinct valid Ukrainian mobile numbers.
func ukrainian(i int) string { return fmt.Sprintf("38097%07d", i%10_000_000) }

// startUA returns a sandbox, a Verifier on store and a verification started for phoneUA.
func startUA(t *testing.T, store verify.Store, edit ...func(*verify.Config)) (*env, *verify.Verifier, *verify.Verification) {
	t.Helper()
	e := newEnv(t)
	v := e.verifier(t, store, edit...)
	started, err := v.Start(ctx, verify.StartRequest{Phone: phoneUA})
	require.NoError(t, err)
	return e, v, started
}

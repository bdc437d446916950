package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
)

// testKey is the API key of every test. No run may print it.
const testKey = "cli-test-key-7f3a9c2e"

// result is what one run of the program left behind.
type result struct {
	code   int
	stdout string
	stderr string
}

// runCLI runs the program with args, env as its environment and stdin as its input, and
// checks that no output carries the API key.
func runCLI(t *testing.T, ctx context.Context, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr, func(k string) string { return env[k] })
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	assertNoKey(t, r.stdout, r.stderr)
	return r
}

func assertNoKey(t *testing.T, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		assert.NotContains(t, out, testKey, "the API key was printed")
	}
}

// newSandbox serves a sandbox that accepts testKey, with reproducible ids and codes and
// messages delivered at once, and returns it with the environment that points the program
// at it.
func newSandbox(t *testing.T, opts ...sandbox.Option) (*sandbox.Server, map[string]string) {
	t.Helper()
	opts = append([]sandbox.Option{
		sandbox.WithAPIKey(testKey),
		sandbox.WithRand(rand.NewChaCha8([32]byte{'c', 'l', 'i'})),
		sandbox.WithDeliveryDelay(0),
	}, opts...)
	sb := sandbox.New(opts...)
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	return sb, map[string]string{"BSG_BASE_URL": ts.URL, "BSG_API_KEY": testKey}
}

// decode reads a run's JSON output into v.
func decode[T any](t *testing.T, r result) T {
	t.Helper()
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var v T
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v), "stdout: %s", r.stdout)
	return v
}

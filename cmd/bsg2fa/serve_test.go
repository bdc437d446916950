package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// startSandbox runs "bsg2fa sandbox" with args on a free port until the returned stop is
// called, and returns its base URL; stop returns the exit status and what went to stderr.
func startSandbox(t *testing.T, args ...string) (baseURL string, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	outR, outW := io.Pipe()
	stderr := &testkit.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"sandbox", "-addr", "127.0.0.1:0"}, args...), strings.NewReader(""), outW, stderr, func(string) string { return "" })
		outW.Close()
		done <- code
	}()

	lines := bufio.NewScanner(outR)
	require.True(t, lines.Scan(), "no output; stderr: %s", stderr.String())
	first := lines.Text()
	baseURL, ok := strings.CutPrefix(first, "sandbox listening on ")
	require.True(t, ok, "first line %q", first)
	// Keep reading, so no later write to stdout blocks.
	go func() { _, _ = io.Copy(io.Discard, outR) }()

	return baseURL, func() (int, string) {
		cancel()
		code := <-done
		return code, stderr.String()
	}
}

// TestSandboxCommand starts the sandbox command, answers requests from the HTTP client and
// from the program's own send command, and stops it by cancelling the context.
func TestSandboxCommand(t *testing.T) {
	baseURL, stop := startSandbox(t, "-api-key", testKey, "-stop-list", "380501234567", "-delivery-delay", "0",
		"-token-ttl", "1h", "-balance", "10", "-price", "0,05", "-currency", "eur", "-rate-limit", "1000")
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})

	// Any language: the login endpoint and the code endpoint answer over plain HTTP.
	resp, err := http.Post(baseURL+"/api/auth/login", "application/json", strings.NewReader(`{"api_key":"`+testKey+`"}`))
	require.NoError(t, err)
	var login struct{ Bearer string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&login))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotEmpty(t, login.Bearer)

	resp, err = http.Post(baseURL+"/api/auth/login", "application/json", strings.NewReader(`{"api_key":"another"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "only -api-key logs in")

	env := map[string]string{"BSG_BASE_URL": baseURL, "BSG_API_KEY": testKey}
	r := runCLI(t, t.Context(), env, "", "send", "-to", "+380 50 123 4567", "-sender", "Shop")
	assert.Equal(t, 1, r.code, "-stop-list applies")
	assert.Contains(t, r.stderr, "Recipient exists on the stop list")

	r = runCLI(t, t.Context(), env, "", "send", "-to", "+351 912 345 678", "-sender", "Shop")
	require.Equal(t, 0, r.code, r.stderr)
	id := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(r.stdout, "\n", 2)[0], "id:"))

	resp, err = http.Get(baseURL + "/_sandbox/authentications/" + id + "/code")
	require.NoError(t, err)
	var code struct{ Code string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&code))
	resp.Body.Close()
	require.Len(t, code.Code, 6)

	r = runCLI(t, t.Context(), env, "", "verify", id, code.Code)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "price:          0.05 EUR")

	exit, logs := stop()
	stopped = true
	assert.Equal(t, 0, exit)
	assert.Contains(t, logs, "msg=request method=POST path=/api/auth/login status=200")
	assert.Contains(t, logs, `msg="code sent"`)
	assert.Contains(t, logs, "code="+code.Code, "the sandbox shows the codes it sends")
	assert.Contains(t, logs, "msg=stopped")
	assertNoKey(t, logs)

	_, err = http.Get(baseURL + "/_sandbox/authentications/" + id + "/code")
	assert.Error(t, err, "the listener is closed after the shutdown")
}

func TestSandboxCommandListenError(t *testing.T) {
	baseURL, stop := startSandbox(t)
	t.Cleanup(func() { stop() })
	addr := strings.TrimPrefix(baseURL, "http://")

	r := runCLI(t, t.Context(), nil, "", "sandbox", "-addr", addr)
	assert.Equal(t, 1, r.code, "the address is taken")
	assert.Contains(t, r.stderr, "bsg2fa sandbox: listen")
	assert.Empty(t, r.stdout)
}

func TestSandboxCommandRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:8025", "example.com:8025"} {
		r := runCLI(t, t.Context(), nil, "", "sandbox", "-addr", addr)
		assert.Equal(t, 2, r.code, addr)
		assert.Contains(t, r.stderr, "is not a loopback address", addr)
		assert.Contains(t, r.stderr, "-public", addr)
		assert.Empty(t, r.stdout)
	}
	for _, addr := range []string{"127.0.0.1:8025", "localhost:8025", "[::1]:8025", "127.1.2.3:0"} {
		assert.True(t, loopbackAddr(addr), addr)
	}
	assert.Contains(t, publicWarning("192.0.2.1:8025", false), "without -api-key any key logs in")
	assert.NotContains(t, publicWarning("192.0.2.1:8025", true), "-api-key")
}

func TestSandboxCommandHelpDocumentsHooks(t *testing.T) {
	r := runCLI(t, t.Context(), nil, "", "sandbox", "-h")
	require.Equal(t, 0, r.code, r.stderr)
	for _, hook := range []string{
		"GET    /_sandbox/recipients/{phone}/code", "GET    /_sandbox/messages?recipient=&since=",
		"DELETE /_sandbox/messages", "POST   /_sandbox/faults", "DELETE /_sandbox/faults",
		"POST   /_sandbox/reset", "bsg2fa code -to PHONE", "-public", "-max-conns", "-read-timeout", "-idle-timeout",
	} {
		assert.Contains(t, r.stdout, hook)
	}
}

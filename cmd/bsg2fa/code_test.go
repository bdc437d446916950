package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCodeCommand(t *testing.T) {
	baseURL, stop := startSandbox(t, "-api-key", testKey)
	t.Cleanup(func() { stop() })
	env := map[string]string{"BSG_BASE_URL": baseURL, "BSG_API_KEY": testKey}
	r := runCLI(t, t.Context(), env, "", "send", "-to", "+351 912 345 678", "-sender", "Shop")
	require.Equal(t, 0, r.code, r.stderr)
	id := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(r.stdout, "\n", 2)[0], "id:"))

	resp, err := http.Get(baseURL + "/_sandbox/authentications/" + id + "/code")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got struct{ Code string }
	require.NoError(t, json.Unmarshal(b, &got), string(b))
	want := got.Code
	require.NotEmpty(t, want)

	noKey := map[string]string{"BSG_BASE_URL": baseURL}
	r = runCLI(t, t.Context(), noKey, "", "code", "-to", "+351 912 345 678")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, want+"\n", r.stdout)

	r = runCLI(t, t.Context(), nil, "", "code", "-to", "351912345678", "-id", "-base-url", baseURL)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, id+" "+want+"\n", r.stdout)

	r = runCLI(t, t.Context(), noKey, "", "code", "-to", "+44 7700 900123")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "no code was sent to that number")

	for _, args := range [][]string{{"code"}, {"code", "-to", "hello"}, {"code", "-to", "351912345678", "-base-url", "ftp://x"}} {
		r = runCLI(t, t.Context(), noKey, "", args...)
		assert.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
	}
}

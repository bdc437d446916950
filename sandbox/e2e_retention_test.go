package sandbox_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
)

// TestRetentionWithoutSweepingCalls shows that a session past its retention is gone for every
// call that names it, even when no send or list has run since it ran out.
func TestRetentionWithoutSweepingCalls(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string // %s is the session id
		body   string
	}{
		{"status", http.MethodGet, "/api/2fa/authentications/%s", ""},
		{"verify", http.MethodPost, "/api/2fa/authentications/otp/%s/verify", `{"access_code":"123456"}`},
		{"resend", http.MethodPost, "/api/2fa/authentications/otp/%s/resend", ""},
		{"cancel", http.MethodPost, "/api/2fa/authentications/%s/cancel", ""},
		{"code endpoint", http.MethodGet, "/_sandbox/authentications/%s/code", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, sandbox.WithRetention(time.Hour))
			e.login()
			id, code := e.send("380979965073", 300, 3, 6)
			status, body, _ := e.do(http.MethodPost, "/api/2fa/authentications/otp/"+id+"/verify", `{"access_code":"`+code+`"}`)
			require.Equal(t, http.StatusOK, status, body)

			e.clock.Advance(time.Hour - time.Second)
			_, kept := e.srv.LastCode(id)
			require.True(t, kept, "kept within the retention")

			e.clock.Advance(time.Second)
			status, body, _ = e.do(tt.method, fmt.Sprintf(tt.path, id), tt.body)
			assert.Equal(t, http.StatusNotFound, status)
			assert.JSONEq(t, rule("Authentication not found"), body)
			_, kept = e.srv.LastCode(id)
			assert.False(t, kept)
		})
	}
}

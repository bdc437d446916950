package wrapper_test

// End-to-end tests of what only the sandbox does: retention of finished sessions and the
// code endpoint (harness: e2e_harness_test.go).

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// TestE2ERetention shows finished sessions leaving the sandbox: after the retention period and
// beyond the maximum count (oldest first); pending ones stay.
func TestE2ERetention(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		opts    []sandbox.Option
		advance time.Duration
		gone    []bool // per session A (verified first), B (canceled next), C (pending)
	}{
		{"within the retention", []sandbox.Option{sandbox.WithRetention(time.Hour)}, time.Hour - time.Second, []bool{false, false, false}},
		{"past the retention of the first", []sandbox.Option{sandbox.WithRetention(time.Hour)}, time.Hour, []bool{true, false, false}},
		{"past the retention of both", []sandbox.Option{sandbox.WithRetention(time.Hour)}, time.Hour + time.Second, []bool{true, true, false}},
		{"beyond the maximum count", []sandbox.Option{sandbox.WithMaxSessions(1)}, 0, []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, tt.opts...)
			ids := make([]string, 3)
			for i := range ids {
				ids[i] = e.send(e2eSMS(e2eUA)).ID
			}
			e.verify(ids[0])
			e.clock.Advance(time.Second)
			e.cancel(ids[1])
			e.clock.Advance(tt.advance - time.Second)
			for i, id := range ids {
				_, err := e.c.GetAuthentication(ctx, id)
				_, kept := e.sb.LastCode(id)
				if tt.gone[i] {
					e2eRequireErr(t, err, wrapper.ErrAuthenticationNotFound, http.StatusNotFound)
					assert.False(t, kept, i)
				} else {
					assert.NoError(t, err, i)
					assert.True(t, kept, i)
				}
			}
		})
	}
}

func TestE2ESandboxCodeEndpoint(t *testing.T) {
	e := newE2E(t)
	a := e.send(e2eSMS(e2eUA))
	read := func(id string) (int, string) {
		status, body := e.raw(http.MethodGet, "/_sandbox/authentications/"+id+"/code", "", false)
		if status != http.StatusOK {
			return status, ""
		}
		var out struct{ Code string }
		require.NoError(t, json.Unmarshal([]byte(body), &out))
		return status, out.Code
	}
	tests := []struct {
		name   string
		before func()
		id     string
	}{
		{"after send", nil, a.ID},
		{"after resend", func() {
			_, err := e.c.ResendOTP(context.Background(), a.ID)
			require.NoError(t, err)
		}, a.ID},
		{"after verify", func() { e.verify(a.ID) }, a.ID},
	}
	prev := ""
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			status, code := read(tt.id)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, e.code(tt.id), code)
			if tt.name == "after resend" {
				assert.NotEqual(t, prev, code)
			}
			prev = code
		})
	}
	t.Run("unknown", func(t *testing.T) {
		status, _ := read(e2eUnknownID)
		assert.Equal(t, http.StatusNotFound, status)
		_, ok := e.sb.LastCode(e2eUnknownID)
		assert.False(t, ok)
	})
}

package testkit

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingTB is a testing.TB that keeps what is reported to it instead of failing.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestSpecTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := http.StatusOK, `{"bearer":"b"}`
		switch r.URL.Query().Get("answer") {
		case "teapot":
			status = http.StatusTeapot
		case "shape":
			body = `{"token":1}`
		case "not found":
			status, body = http.StatusNotFound, `{"errors":[{"message":"not found"}]}`
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()

	tests := []struct {
		name, method, path string
		problem            string // in the failure reported; "" for none
	}{
		{"a documented answer", http.MethodPost, "/api/auth/login", ""},
		{"an undocumented status", http.MethodPost, "/api/auth/login?answer=teapot", "status is not supported"},
		{"an undocumented body", http.MethodPost, "/api/auth/login?answer=shape", `property "bearer" is missing`},
		{"an operation the document lacks", http.MethodGet, "/api/nowhere", "no operation"},
		{"a path outside /api/ is not checked", http.MethodGet, "/_sandbox/anything?answer=teapot", ""},
		{"an escaped slash in an id, documented", http.MethodGet, "/api/2fa/authentications/a%2Fb?answer=not+found", ""},
		{"an escaped slash in an id is checked too", http.MethodGet, "/api/2fa/authentications/a%2Fb?answer=teapot", "status is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			hc := &http.Client{Transport: NewSpecTransport(rec, srv.Client().Transport)}
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(`{"api_key":"k"}`))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.NotEmpty(t, body, "the body is passed on after the check")
			if tt.problem == "" {
				assert.Empty(t, rec.errors)
				return
			}
			require.Len(t, rec.errors, 1)
			assert.Contains(t, rec.errors[0], tt.problem)
		})
	}
}

package sandbox

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// A path or method that names no operation is answered with a JSON 404, like every other
// error of the API, and never reaches the handlers.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	s := New()
	bearer := loginTo(t, s)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/api/2fa/nothing-here"},
		{http.MethodDelete, "/api/2fa/authentications/otp"},
		{http.MethodPut, "/api/2fa/authentications/templates/1"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			status, body := call(t, s, bearer, tc.method, tc.path, "")
			require.Equal(t, http.StatusNotFound, status)
			require.JSONEq(t, `{"message":"Not found."}`, body)
		})
	}
}

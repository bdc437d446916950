package sandbox_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/api"
)

// TestSendExamplesAccepted: the spec's request examples for a send work as they are
// against a fresh sandbox, so a user (or a tool) trying them gets a session, not a 422.
func TestSendExamplesAccepted(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	require.NoError(t, err)
	op := doc.Paths.Value("/api/2fa/authentications/otp").Post
	require.NotNil(t, op)
	examples := op.RequestBody.Value.Content.Get("application/json").Examples
	require.NotEmpty(t, examples)

	for name, ex := range examples {
		t.Run(name, func(t *testing.T) {
			e := setup(t)
			e.login()
			body, err := json.Marshal(ex.Value.Value)
			require.NoError(t, err)
			status, resp, _ := e.do(http.MethodPost, "/api/2fa/authentications/otp", string(body))
			assert.Equal(t, http.StatusCreated, status, resp)
		})
	}
}

// TestEmptyListsCarryTotal: a list answer always holds its total, 0 included, as the spec
// requires; a client must not have to guess whether a missing total means none.
func TestEmptyListsCarryTotal(t *testing.T) {
	e := setup(t)
	e.login()

	total := func(t *testing.T, raw json.RawMessage) {
		t.Helper()
		var obj map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &obj), string(raw))
		require.Contains(t, obj, "total", string(raw))
		assert.JSONEq(t, "0", string(obj["total"]))
	}

	t.Run("sessions", func(t *testing.T) {
		status, body, _ := e.do(http.MethodGet, "/api/2fa/authentications?filter[from]=2001-01-01&filter[to]=2001-01-02", "")
		require.Equal(t, http.StatusOK, status, body)
		var v struct{ Data json.RawMessage }
		require.NoError(t, json.Unmarshal([]byte(body), &v))
		total(t, v.Data)
	})
	t.Run("templates", func(t *testing.T) {
		status, body, _ := e.do(http.MethodGet, "/api/2fa/authentications/templates?filter[status]=rejected", "")
		require.Equal(t, http.StatusOK, status, body)
		total(t, json.RawMessage(body))
	})
}

package api_test

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecValidates(t *testing.T) {
	doc := loadSpec(t)
	assert.Equal(t, "3.0.3", doc.OpenAPI)
	require.NoError(t, doc.Validate(context.Background(), openapi3.EnableExamplesValidation()))
}

func TestSpecOperations(t *testing.T) {
	doc := loadSpec(t)

	// The twelve operations of the service, and only those.
	want := map[string]string{
		"POST /api/auth/login":                                   "login",
		"POST /api/auth/refresh":                                 "refreshToken",
		"POST /api/2fa/authentications/otp":                      "sendOtp",
		"POST /api/2fa/authentications/otp/{id}/resend":          "resendOtp",
		"POST /api/2fa/authentications/otp/{id}/verify":          "verifyOtp",
		"POST /api/2fa/authentications/{id}/cancel":              "cancelOtp",
		"GET /api/2fa/authentications/{id}":                      "getAuthentication",
		"GET /api/2fa/authentications":                           "listAuthentications",
		"GET /api/2fa/authentications/templates":                 "listTemplates",
		"POST /api/2fa/authentications/templates":                "createTemplate",
		"GET /api/2fa/authentications/templates/{templateId}":    "getTemplate",
		"DELETE /api/2fa/authentications/templates/{templateId}": "deleteTemplate",
	}

	got := map[string]string{}
	public := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			got[method+" "+path] = op.OperationID
			// An operation is public when it overrides the document's bearer
			// requirement with an empty list.
			if op.Security != nil && len(*op.Security) == 0 {
				public[op.OperationID] = true
			}
		}
	}
	assert.Equal(t, want, got)

	require.Len(t, doc.Security, 1)
	assert.Contains(t, doc.Security[0], "bearerAuth", "every operation needs the bearer unless it says otherwise")
	assert.Equal(t, map[string]bool{"login": true}, public, "only login may go without a bearer")
}

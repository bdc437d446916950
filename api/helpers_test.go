package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/api"
)

// testBearer stands in for a JWT: the checks below only look at its presence.
const testBearer = "test-bearer"

// Example path parameters, taken from the documentation page.
const (
	exampleAuthID     = "bf4381c8-9d4a-4705-bd28-f89a830b7f96"
	exampleTemplateID = 515
)

// loadSpec parses the embedded document. Its servers are left as they are: the
// requests below are built against the spec's own first server URL (no request is
// ever sent), so the router must match that URL exactly as a client would use it.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	require.NoError(t, err, "load api/bsg-2fa.yaml")
	require.NotEmpty(t, doc.Servers, "the spec names no server")
	return doc
}

// baseURL is the URL the generated client is pointed at in these tests.
func baseURL(doc *openapi3.T) string {
	return doc.Servers[0].URL
}

// newRouter builds kin-openapi's legacy router (gorillamux would add a module).
// The router validates the document again; its examples are left to
// TestSpecValidates so that a wrong schema shows up here as failures of the
// individual testdata files rather than as one error at set-up.
func newRouter(t testing.TB, doc *openapi3.T) routers.Router {
	t.Helper()
	r, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	require.NoError(t, err)
	return r
}

// operationPath finds the method and path template of an operation by its id.
func operationPath(t testing.TB, doc *openapi3.T, operationID string) (method, path string) {
	t.Helper()
	for p, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			if op.OperationID == operationID {
				return m, p
			}
		}
	}
	t.Fatalf("operation %q is not in the spec", operationID)
	return "", ""
}

// requestFor builds a body-less request for an operation, with the documentation
// page's ids in the path, as the input a response is validated against.
func requestFor(t testing.TB, doc *openapi3.T, operationID string) *http.Request {
	t.Helper()
	method, path := operationPath(t, doc, operationID)
	path = strings.ReplaceAll(path, "{id}", exampleAuthID)
	path = strings.ReplaceAll(path, "{templateId}", fmt.Sprint(exampleTemplateID))
	req, err := http.NewRequestWithContext(context.Background(), method, baseURL(doc)+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testBearer)
	return req
}

// requireBearer is the AuthenticationFunc for openapi3filter: a secured operation
// passes only with a non-empty bearer token, so a request the client forgot to
// authorise fails validation.
func requireBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "bearerAuth" {
		return fmt.Errorf("unexpected security scheme %q", in.SecuritySchemeName)
	}
	token, ok := strings.CutPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return errors.New("no bearer token")
	}
	return nil
}

package testkit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/go-bsg/bsg2fa/api"
)

// specRouter finds operations in api/bsg-2fa.yaml. It is built once per test binary: the
// document does not change while tests run, so parsing it again for every test would only
// cost time. The router is only read once built, so parallel tests may share it.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // match paths on any host, an httptest one included
	return legacy.NewRouter(doc)
})

// SpecTransport is an http.RoundTripper that checks every answer to a request under /api/
// against api/bsg-2fa.yaml: the document must have the operation and describe the status
// code, the headers and the body. A test that talks to the sandbox through it is thus also a
// check of the sandbox's shapes and status codes, one that is read from the document
// independently of the sandbox's own route table.
//
// An answer the document does not describe fails the test with Errorf, where it happens, and
// is passed on unchanged, so the test goes on and shows what the client made of it.
type SpecTransport struct {
	t      testing.TB
	router routers.Router
	next   http.RoundTripper
}

// NewSpecTransport returns a SpecTransport that sends requests with next
// (http.DefaultTransport when nil) and reports to t. It fails t at once when the document
// does not load, rather than on the first request.
func NewSpecTransport(t testing.TB, next http.RoundTripper) *SpecTransport {
	t.Helper()
	router, err := specRouter()
	if err != nil {
		t.Fatalf("loading api/bsg-2fa.yaml: %v", err)
	}
	if next == nil {
		next = http.DefaultTransport
	}
	return &SpecTransport{t: t, router: router, next: next}
}

// RoundTrip sends req with the next transport and checks the answer against the document.
func (s *SpecTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil || !strings.HasPrefix(req.URL.Path, "/api/") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the answer to %s %s: %w", req.Method, req.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if problem := s.check(req, resp, body); problem != "" {
		s.t.Errorf("%s %s answered %d with a response api/bsg-2fa.yaml does not describe: %s\nbody: %s",
			req.Method, req.URL.EscapedPath(), resp.StatusCode, problem, body)
	}
	return resp, nil
}

// check returns what the document finds wrong with resp, the answer to req, or "".
func (s *SpecTransport) check(req *http.Request, resp *http.Response, body []byte) string {
	// kin-openapi's router matches the decoded path, where an escaped "/" inside an id
	// ("a%2Fb") would split the segment and match no operation. It is given the path as
	// sent instead, so that such a request is checked like any other: the value of a path
	// parameter plays no part in checking the answer.
	routed := req.Clone(context.Background())
	routed.URL.Path, routed.URL.RawPath = req.URL.EscapedPath(), ""
	route, params, err := s.router.FindRoute(routed)
	if err != nil {
		return "no operation in the document: " + err.Error()
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err.Error()
	}
	return ""
}

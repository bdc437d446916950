package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/go-bsg/bsg2fa/api"
)

// route is one operation of the document, found by the ServeMux pattern gen registers for it.
type route struct {
	route      *routers.Route
	pathParams []string
	members    map[string]string // folded → exact names of the JSON body's members
}

// routeTable maps "METHOD /path/{param}" (the pattern gen's std-http glue registers, which
// http.Request.Pattern carries) to the document's operation.
type routeTable map[string]route

// loadRoutes parses and validates api.Spec once per process: every Server shares the result,
// which kin-openapi only reads while validating.
var loadRoutes = sync.OnceValues(func() (routeTable, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	if err != nil {
		return nil, fmt.Errorf("sandbox: load api/bsg-2fa.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("sandbox: validate api/bsg-2fa.yaml: %w", err)
	}
	// The sandbox checks bearers itself before validation, so the copies of the operations
	// it validates against carry no security requirement.
	noSecurity := &openapi3.SecurityRequirements{}
	table := routeTable{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			opCopy := *op
			opCopy.Security = noSecurity
			var names []string
			for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
				if p.Value != nil && p.Value.In == openapi3.ParameterInPath {
					names = append(names, p.Value.Name)
				}
			}
			table[method+" "+path] = route{
				route:      &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: &opCopy},
				pathParams: names,
				members:    bodyMembers(op),
			}
		}
	}
	return table, nil
})

// filterOptions are read-only and shared: one error is enough for a 422, and the body is never
// rewritten with defaults (the handlers apply them).
var filterOptions = &openapi3filter.Options{
	MultiError:          false,
	SkipSettingDefaults: true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
}

// validateRequests is a std-http middleware of gen's glue: it runs after the ServeMux matched
// the operation and before the strict handler decodes the body.
func (s *Server) validateRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := s.routes[r.Pattern]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		var params map[string]string
		if len(rt.pathParams) > 0 {
			params = make(map[string]string, len(rt.pathParams))
			for _, name := range rt.pathParams {
				params[name] = r.PathValue(name)
			}
		}
		body, reread, err := readBody(r.Body)
		if err != nil {
			// A body that timed out or broke off leaves the connection useless: close it
			// rather than wait for a next request on it.
			w.Header().Set("Connection", "close")
			writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{"body", "The request body could not be read."}}))
			return
		}
		r.Body = reread
		if name := ambiguousMember(body, rt.members); name != "" {
			if len(name) > 64 {
				name = strings.ToValidUTF8(name[:64], "")
			}
			writeJSON(w, http.StatusUnprocessableEntity, validationBody([]fieldError{{name, fmt.Sprintf("The %s field is given twice or in another letter case.", attr(name))}}))
			return
		}
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: rt.route, Options: filterOptions}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			var reqErr *openapi3filter.RequestError
			if errors.As(err, &reqErr) && reqErr.Parameter != nil && reqErr.Parameter.In == openapi3.ParameterInPath {
				writeNotFound(w, reqErr.Parameter.Name)
				return
			}
			writeJSON(w, http.StatusUnprocessableEntity, validationBody(describe(err)))
			return
		}
		// The handlers act on exactly these bytes (see body.go); gen's glue reads them again.
		r = r.WithContext(withValidatedBody(r.Context(), body))
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// writeNotFound answers a path parameter that cannot name anything (an id longer than 36
// characters, a template id that is not a number) as the unknown id it is: the operations that
// read one session or template document 404 for it, not 422.
func writeNotFound(w http.ResponseWriter, param string) {
	msg := msgAuthNotFound
	if param == "templateId" {
		msg = msgTemplateNotFound
	}
	writeJSON(w, http.StatusNotFound, ruleBody(msg))
}

// fieldError is one entry of a 422 validation answer.
type fieldError struct {
	field, message string
}

func validationBody(errs []fieldError) map[string]any {
	fields := map[string][]string{}
	for _, e := range errs {
		fields[e.field] = append(fields[e.field], e.message)
	}
	return map[string]any{"message": "The given data was invalid.", "errors": fields}
}

// describe turns a kin-openapi error into the fields and messages the service would name.
// Values never appear in the messages: a request may carry a code or a key.
func describe(err error) []fieldError {
	var reqErr *openapi3filter.RequestError
	if !errors.As(err, &reqErr) {
		return []fieldError{{"request", "The request is invalid."}}
	}
	switch {
	case reqErr.Parameter != nil:
		name := reqErr.Parameter.Name
		var schemaErr *openapi3.SchemaError
		switch {
		case errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired):
			return []fieldError{{name, fmt.Sprintf("The %s field is required.", attr(name))}}
		case errors.As(reqErr.Err, &schemaErr):
			return []fieldError{{name, schemaMessage(name, schemaErr)}}
		default:
			return []fieldError{{name, fmt.Sprintf("The %s format is invalid.", attr(name))}}
		}
	case reqErr.RequestBody != nil:
		var schemaErr *openapi3.SchemaError
		switch {
		case errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired):
			return requiredFields(reqErr.RequestBody)
		case errors.As(reqErr.Err, &schemaErr):
			field := strings.Join(schemaErr.JSONPointer(), ".")
			if field == "" {
				return []fieldError{{"body", "The request body must be a JSON object."}}
			}
			return []fieldError{{field, schemaMessage(field, schemaErr)}}
		case strings.HasPrefix(reqErr.Reason, "header Content-Type"):
			return []fieldError{{"body", "The request body must be sent as application/json."}}
		default:
			return []fieldError{{"body", "The request body must be a JSON object."}}
		}
	}
	return []fieldError{{"request", "The request is invalid."}}
}

// requiredFields answers an empty body the way a form validator does: every required field
// is missing.
func requiredFields(body *openapi3.RequestBody) []fieldError {
	var out []fieldError
	if mt := body.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
		for _, name := range mt.Schema.Value.Required {
			out = append(out, fieldError{name, fmt.Sprintf("The %s field is required.", attr(name))})
		}
	}
	if len(out) == 0 {
		out = append(out, fieldError{"body", "The request body is required."})
	}
	return out
}

func schemaMessage(field string, e *openapi3.SchemaError) string {
	a := attr(field)
	sc := e.Schema
	if sc == nil {
		sc = &openapi3.Schema{}
	}
	switch e.SchemaField {
	case "required":
		return fmt.Sprintf("The %s field is required.", a)
	case "type":
		if sc.Type != nil && len(*sc.Type) > 0 {
			t := (*sc.Type)[0]
			if t == "integer" || t == "array" || t == "object" {
				return fmt.Sprintf("The %s must be an %s.", a, t)
			}
			return fmt.Sprintf("The %s must be a %s.", a, t)
		}
	case "minimum", "maximum":
		if sc.Min != nil && sc.Max != nil {
			return fmt.Sprintf("The %s must be between %g and %g.", a, *sc.Min, *sc.Max)
		}
		if sc.Min != nil {
			return fmt.Sprintf("The %s must be at least %g.", a, *sc.Min)
		}
		if sc.Max != nil {
			return fmt.Sprintf("The %s may not be greater than %g.", a, *sc.Max)
		}
	case "minLength", "maxLength":
		if sc.MaxLength != nil {
			return fmt.Sprintf("The %s must be between %d and %d characters.", a, sc.MinLength, *sc.MaxLength)
		}
		return fmt.Sprintf("The %s must be at least %d characters.", a, sc.MinLength)
	case "minItems", "maxItems":
		if sc.MaxItems != nil {
			return fmt.Sprintf("The %s must have between %d and %d items.", a, sc.MinItems, *sc.MaxItems)
		}
		return fmt.Sprintf("The %s must have at least %d items.", a, sc.MinItems)
	case "enum":
		return fmt.Sprintf("The selected %s is invalid.", a)
	case "pattern":
		if field == "text" {
			return msgCodeRequired
		}
	}
	return fmt.Sprintf("The %s format is invalid.", a)
}

// attr names a field the way form validators do: "code_lifetime" reads "code lifetime".
func attr(field string) string {
	return strings.ReplaceAll(field, "_", " ")
}

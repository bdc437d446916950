package api_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/api"
)

// The rules below are about the document's shape rather than about the bodies it
// accepts: kin-openapi reads some constructs more leniently than OpenAPI 3.0.3 (and the
// ajv-based validators of other tools) do, so what every reader must agree on is checked
// on the schema objects themselves.

// eachSchema calls visit once for every schema object reachable from the document —
// components, parameters, headers, request and response bodies, and every subschema —
// with a path that names where it sits.
func eachSchema(doc *openapi3.T, visit func(path string, s *openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(path string, ref *openapi3.SchemaRef)
	walk = func(path string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		visit(path, s)
		for _, name := range sortedKeys(s.Properties) {
			walk(path+"/properties/"+name, s.Properties[name])
		}
		walk(path+"/items", s.Items)
		walk(path+"/not", s.Not)
		walk(path+"/additionalProperties", s.AdditionalProperties.Schema)
		for kw, list := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "anyOf": s.AnyOf, "oneOf": s.OneOf} {
			for i, sub := range list {
				walk(fmt.Sprintf("%s/%s/%d", path, kw, i), sub)
			}
		}
	}
	content := func(path string, c openapi3.Content) {
		for _, mt := range sortedKeys(c) {
			walk(path+"/content/"+mt+"/schema", c[mt].Schema)
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		walk("#/components/schemas/"+name, doc.Components.Schemas[name])
	}
	for _, name := range sortedKeys(doc.Components.Headers) {
		walk("#/components/headers/"+name+"/schema", doc.Components.Headers[name].Value.Schema)
	}
	eachParameter(doc, func(path string, p *openapi3.Parameter) {
		walk(path+"/schema", p.Schema)
	})
	for _, name := range sortedKeys(doc.Components.Responses) {
		content("#/components/responses/"+name, doc.Components.Responses[name].Value.Content)
	}
	eachOperation(doc, func(path string, op *openapi3.Operation) {
		if op.RequestBody != nil {
			content(path+"/requestBody", op.RequestBody.Value.Content)
		}
		for code, r := range op.Responses.Map() {
			content(path+"/responses/"+code, r.Value.Content)
		}
	})
}

// eachOperation calls visit for every operation, in path and method order.
func eachOperation(doc *openapi3.T, visit func(path string, op *openapi3.Operation)) {
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		ops := item.Operations()
		for _, m := range sortedKeys(ops) {
			visit(m+" "+p, ops[m])
		}
	}
}

// eachParameter calls visit for every parameter: the shared ones, those of a path and
// those of an operation.
func eachParameter(doc *openapi3.T, visit func(path string, p *openapi3.Parameter)) {
	for _, name := range sortedKeys(doc.Components.Parameters) {
		visit("#/components/parameters/"+name, doc.Components.Parameters[name].Value)
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		for _, param := range item.Parameters {
			visit(p+" "+param.Value.Name, param.Value)
		}
		ops := item.Operations()
		for _, m := range sortedKeys(ops) {
			for _, param := range ops[m].Parameters {
				visit(m+" "+p+" "+param.Value.Name, param.Value)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestNullableHasType holds the document to OpenAPI 3.0.3's reading of `nullable`: it adds
// null to the `type` of the same schema object and does nothing without one. A
// `nullable: true` beside `allOf` alone is read as "not nullable" by strict validators
// (Redocly's nullable-type-sibling rule, ajv), while kin-openapi lets null through.
func TestNullableHasType(t *testing.T) {
	doc := loadSpec(t)
	count := 0
	eachSchema(doc, func(path string, s *openapi3.Schema) {
		if !s.Nullable {
			return
		}
		count++
		assert.NotEmpty(t, s.Type.Slice(), "%s: nullable: true has no type beside it", path)
	})
	assert.NotZero(t, count, "the document has nullable fields; none was found")
}

// acceptsNull reports whether null is a valid instance of s under OpenAPI 3.0.3 read
// strictly: `nullable` counts only next to a `type`, and every subschema constrains null
// like any other value (an allOf of a non-nullable string refuses it).
func acceptsNull(s *openapi3.Schema) bool {
	if len(s.Type.Slice()) > 0 && !s.Nullable {
		return false
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, any(nil)) {
		return false
	}
	for _, sub := range s.AllOf {
		if !acceptsNull(sub.Value) {
			return false
		}
	}
	if len(s.AnyOf) > 0 && !slices.ContainsFunc(s.AnyOf, func(sub *openapi3.SchemaRef) bool { return acceptsNull(sub.Value) }) {
		return false
	}
	if len(s.OneOf) > 0 {
		n := 0
		for _, sub := range s.OneOf {
			if acceptsNull(sub.Value) {
				n++
			}
		}
		if n != 1 {
			return false
		}
	}
	return s.Not == nil || !acceptsNull(s.Not.Value)
}

// TestNullFieldsAcceptNull checks, with the strict reading, the fields the service (and the
// sandbox, and the spec's own examples) send as null, and that fields next to them still
// refuse it.
func TestNullFieldsAcceptNull(t *testing.T) {
	doc := loadSpec(t)
	field := func(schema, name string) *openapi3.Schema {
		t.Helper()
		s := doc.Components.Schemas[schema]
		require.NotNil(t, s, "no schema %s", schema)
		p := s.Value.Properties[name]
		require.NotNil(t, p, "no property %s.%s", schema, name)
		return p.Value
	}
	tests := []struct {
		schema, field string
		null          bool
	}{
		{schema: "SendOtpRequest", field: "sender_alt", null: true},
		{schema: "Authentication", field: "sender_alt", null: true},
		{schema: "Authentication", field: "finished_at", null: true},
		{schema: "Message", field: "sent_at", null: true},
		{schema: "SendOtpRequest", field: "sender", null: false},
		{schema: "Authentication", field: "expired_at", null: false},
		{schema: "Authentication", field: "created_at", null: false},
		{schema: "Authentication", field: "price", null: false},
		{schema: "Message", field: "created_at", null: false},
	}
	for _, tt := range tests {
		t.Run(tt.schema+"."+tt.field, func(t *testing.T) {
			assert.Equal(t, tt.null, acceptsNull(field(tt.schema, tt.field)))
		})
	}
}

// TestNullableTwinsMatch keeps each nullable schema's pattern equal to the one of the
// schema it is the nullable form of, so the two cannot drift apart.
func TestNullableTwinsMatch(t *testing.T) {
	doc := loadSpec(t)
	for nullable, base := range map[string]string{
		"NullableTimestamp":  "Timestamp",
		"NullableSenderName": "SenderName",
	} {
		t.Run(nullable, func(t *testing.T) {
			n, b := doc.Components.Schemas[nullable], doc.Components.Schemas[base]
			require.NotNil(t, n, nullable)
			require.NotNil(t, b, base)
			assert.True(t, n.Value.Nullable)
			assert.False(t, b.Value.Nullable)
			assert.Equal(t, b.Value.Type, n.Value.Type)
			assert.Equal(t, b.Value.Pattern, n.Value.Pattern)
			assert.NotEmpty(t, n.Value.Pattern)
		})
	}
}

// TestRequiredParametersHaveExamples: tools that try an operation (mock servers, contract
// testers, documentation consoles) need a value for every parameter they cannot leave out.
func TestRequiredParametersHaveExamples(t *testing.T) {
	doc := loadSpec(t)
	count := 0
	eachParameter(doc, func(path string, p *openapi3.Parameter) {
		if !p.Required {
			return
		}
		count++
		assert.True(t, p.Example != nil || len(p.Examples) > 0, "%s: a required parameter without an example", path)
	})
	assert.NotZero(t, count)
}

// TestSharedErrorResponsesLeadWithGeneric: a response shared by several operations is
// shown, and answered by mock servers, with its first example, so that one must hold for
// every operation that uses the response. Examples specific to one operation follow it.
func TestSharedErrorResponsesLeadWithGeneric(t *testing.T) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true // for the order of the examples in the file
	doc, err := loader.LoadFromData(api.Spec)
	require.NoError(t, err)

	count := 0
	for _, name := range sortedKeys(doc.Components.Responses) {
		for mt, media := range doc.Components.Responses[name].Value.Content {
			if len(media.Examples) == 0 {
				continue // one example: it is the generic one
			}
			count++
			names := sortedKeys(media.Examples)
			line := func(n string) int {
				o := media.Examples[n].Value.Origin
				require.NotNil(t, o, "%s %s: no origin for example %s", name, mt, n)
				return o.Key.Line
			}
			sort.SliceStable(names, func(i, j int) bool { return line(names[i]) < line(names[j]) })
			assert.Equal(t, "generic", names[0], "%s %s: examples in order %s", name, mt, strings.Join(names, ", "))
		}
	}
	assert.NotZero(t, count, "no shared response has several examples")
}

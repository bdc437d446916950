package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// A request body must mean the same to the validator and to the handlers. kin-openapi reads
// members by exact name, while encoding/json (and so gen's decoding) matches names without
// regard to case and lets the last of several win: {"code_digits":6,"CODE_DIGITS":1e11} would
// pass validation as 6 and reach a handler as 1e11. So the middleware refuses a body that
// repeats a member or spells a documented member in another case, and the handlers decode
// the validated bytes themselves, by exact name, never gen's copy.

type validatedBodyKey struct{}

// withValidatedBody records the bytes that passed validation for the handlers.
func withValidatedBody(ctx context.Context, body []byte) context.Context {
	return context.WithValue(ctx, validatedBodyKey{}, body)
}

// errNotValidated is what a handler reports when it is reached without the middleware, which
// only a wiring mistake can cause; the request is answered 422, never acted on.
var errNotValidated = errors.New("sandbox: request body did not pass validation")

// bodyFields returns the members of the validated JSON object, by exact name.
func bodyFields(ctx context.Context) (map[string]json.RawMessage, error) {
	body, ok := ctx.Value(validatedBodyKey{}).([]byte)
	if !ok {
		return nil, errNotValidated
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, errNotValidated
	}
	return fields, nil
}

// field decodes one member into v; absent and null leave v alone and report false.
func field(fields map[string]json.RawMessage, name string, v any) (bool, error) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("%s: %w", name, err)
	}
	return true, nil
}

// foldName folds a member name the way encoding/json does when it matches names to fields:
// ASCII letters to upper case, other runes through ToUpper(ToLower(r)), so "ſ" (U+017F)
// matches "s" and the Kelvin sign matches "k".
func foldName(name string) string {
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(name[i:])
		out = utf8.AppendRune(out, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return string(out)
}

// bodyMembers maps the folded names of the documented members of an operation's JSON body
// to their exact names; nil when the operation takes no JSON object.
func bodyMembers(op *openapi3.Operation) map[string]string {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	out := map[string]string{}
	for name := range mt.Schema.Value.Properties {
		out[foldName(name)] = name
	}
	return out
}

// ambiguousMember finds the first member of a JSON object that is given twice, or that
// spells a documented member (members) in another case. It returns "" for a body that is
// not a JSON object: the validator answers those.
func ambiguousMember(body []byte, members map[string]string) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		name, ok := tok.(string)
		if !ok {
			return ""
		}
		folded := foldName(name)
		if exact, documented := members[folded]; (documented && exact != name) || seen[folded] {
			return name
		}
		seen[folded] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}

// readBody reads a request body whole (ServeHTTP has bounded it) and puts back a reader of
// the same bytes for the validator.
func readBody(body io.ReadCloser) ([]byte, io.ReadCloser, error) {
	if body == nil {
		return nil, nil, nil
	}
	data, err := io.ReadAll(body)
	_ = body.Close()
	return data, io.NopCloser(bytes.NewReader(data)), err
}

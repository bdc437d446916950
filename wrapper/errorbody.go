package wrapper

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Limits on what an error body can put into an *APIError, so a hostile or broken service
// cannot make an error value large.
const (
	maxErrorMessages   = 50   // messages kept from one body
	maxErrorMessageLen = 512  // bytes kept of one message
	maxErrorTokens     = 4096 // JSON tokens read from one body
)

// newAPIError builds the *APIError for a non-success answer from whatever the body holds:
// {"message", "errors": [strings]}, {"message", "errors": {field: [strings]}},
// {"errors": [{"message"}]}, {"message"} alone, a mix of these, or anything else (HTML,
// nothing, truncated or invalid JSON), in which case the status alone is kept. Whatever
// could be read before a body breaks off is kept. It never panics.
func newAPIError(statusCode int, body []byte) *APIError {
	e := &APIError{StatusCode: statusCode}
	r := errorBodyReader{dec: json.NewDecoder(bytes.NewReader(body)), budget: maxErrorTokens, e: e}
	r.read()
	return e
}

// errorBodyReader walks an error body token by token, so that a body cut short or of an
// unexpected shape still gives up every message before the damage.
type errorBodyReader struct {
	dec    *json.Decoder
	budget int
	e      *APIError
}

func (r *errorBodyReader) token() (json.Token, bool) {
	if r.budget <= 0 {
		return nil, false
	}
	r.budget--
	t, err := r.dec.Token()
	if err != nil {
		return nil, false
	}
	return t, true
}

func (r *errorBodyReader) read() {
	t, ok := r.token()
	if !ok {
		return
	}
	switch v := t.(type) {
	case string:
		r.e.Message = clipMessage(v)
	case json.Delim:
		if v == '{' {
			r.topObject()
		} else if v == '[' {
			r.messageList("")
		}
	}
}

// member reads the key and the first token of the value of an object's next member. A key
// that is not a string (which a JSON decoder never gives) reads as "".
func (r *errorBodyReader) member() (key string, value json.Token, ok bool) {
	kt, ok := r.token()
	if !ok {
		return "", nil, false
	}
	value, ok = r.token()
	key, _ = kt.(string)
	return key, value, ok
}

// skip consumes the rest of a value whose first token was t.
func (r *errorBodyReader) skip(t json.Token) bool {
	if d, ok := t.(json.Delim); !ok || (d != '{' && d != '[') {
		return true
	}
	for depth := 1; depth > 0; {
		t, ok := r.token()
		if !ok {
			return false
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return true
}

// topObject reads the members of the body's top-level object.
func (r *errorBodyReader) topObject() {
	for r.dec.More() {
		key, vt, ok := r.member()
		if !ok {
			return
		}
		var cont bool
		switch key {
		case "message":
			if s, isString := vt.(string); isString {
				r.e.Message = clipMessage(s)
				cont = true
			} else {
				cont = r.skip(vt)
			}
		case "errors", "error":
			cont = r.errorsValue(vt)
		default:
			cont = r.skip(vt)
		}
		if !cont {
			return
		}
	}
}

// errorsValue reads the value of "errors": a string, a list, or an object of field errors.
func (r *errorBodyReader) errorsValue(t json.Token) bool {
	switch v := t.(type) {
	case string:
		r.addMessage("", v)
		return true
	case json.Delim:
		if v == '[' {
			return r.messageList("")
		}
		return r.fieldObject()
	}
	return true
}

// messageList reads a list after its '[': strings and {"message"} objects are messages,
// of field if it is set.
func (r *errorBodyReader) messageList(field string) bool {
	for r.dec.More() {
		t, ok := r.token()
		if !ok {
			return false
		}
		switch v := t.(type) {
		case string:
			r.addMessage(field, v)
		case json.Delim:
			if v == '{' {
				if !r.messageObject(field) {
					return false
				}
			} else if !r.skip(t) {
				return false
			}
		}
	}
	_, ok := r.token() // ']'
	return ok
}

// messageObject reads {"message": "…", …} after its '{'.
func (r *errorBodyReader) messageObject(field string) bool {
	for r.dec.More() {
		key, vt, ok := r.member()
		if !ok {
			return false
		}
		if s, isString := vt.(string); isString && key == "message" {
			r.addMessage(field, s)
		} else if !r.skip(vt) {
			return false
		}
	}
	_, ok := r.token() // '}'
	return ok
}

// fieldObject reads {"field": ["…"], …} after its '{'.
func (r *errorBodyReader) fieldObject() bool {
	for r.dec.More() {
		key, vt, ok := r.member()
		if !ok {
			return false
		}
		field := key
		if field == "message" {
			// {"errors": {"message": "…"}} is one message, not a field called "message".
			field = ""
		}
		switch v := vt.(type) {
		case string:
			r.addMessage(field, v)
		case json.Delim:
			var cont bool
			if v == '[' {
				cont = r.messageList(field)
			} else {
				cont = r.messageObject(field)
			}
			if !cont {
				return false
			}
		}
	}
	_, ok := r.token() // '}'
	return ok
}

// addMessage keeps a message in Errors and, for a field, in FieldErrors, within the limits.
func (r *errorBodyReader) addMessage(field, msg string) {
	if len(r.e.Errors) >= maxErrorMessages {
		return
	}
	msg = clipMessage(msg)
	r.e.Errors = append(r.e.Errors, msg)
	if field == "" {
		return
	}
	if r.e.FieldErrors == nil {
		r.e.FieldErrors = make(map[string][]string)
	}
	field = clipMessage(field)
	r.e.FieldErrors[field] = append(r.e.FieldErrors[field], msg)
}

// clipMessage cuts s to maxErrorMessageLen bytes at a character boundary, copying it so a
// large body is not kept alive by a small message.
func clipMessage(s string) string {
	if len(s) <= maxErrorMessageLen {
		return s
	}
	i := maxErrorMessageLen
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strings.Clone(s[:i])
}

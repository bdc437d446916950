package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// answer is a 2xx answer read whole, with what its errors may quote.
type answer struct {
	status      int
	contentType string
	body        []byte
	// quote says a snippet of the body may appear in errors: never for token answers,
	// which may hold a bearer.
	quote bool
	red   redactor
}

// decode decodes the answer into gen's model of it. The body decides, not the header: the
// service runs on PHP, whose default header is "text/html; charset=UTF-8", and proxies
// rewrite headers, so a body that starts with '{' or '[' (after white space) is decoded
// whatever its Content-Type, and anything else (an HTML page, an empty body) is a malformed
// answer. Any 2xx status is read the same way: a 200 where 201 is documented is no less an
// answer.
func decode[T any](a *answer) (*T, error) {
	if !looksLikeJSON(a.body) {
		return nil, a.malformed(errors.New("the body is not JSON"))
	}
	v := new(T)
	if err := json.Unmarshal(a.body, v); err != nil {
		return nil, a.malformed(err)
	}
	return v, nil
}

// looksLikeJSON reports whether body starts, after white space, like a JSON object or array.
func looksLikeJSON(body []byte) bool {
	body = bytes.TrimLeft(body, " \t\r\n")
	return len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

// malformed is the error of an answer that is not what the spec promises, for cause.
func (a *answer) malformed(cause error) *ResponseError {
	e := &ResponseError{StatusCode: a.status, ContentType: a.red.clean(a.contentType), Err: ErrMalformedResponse}
	if a.quote {
		// Long tokens are cut by snippet; the key, a bearer that is not a JWT and the code
		// may be short, so the call's own secrets are replaced too.
		e.Snippet = a.red.clean(snippet(a.body))
	}
	if cause != nil {
		e.Err = fmt.Errorf("%w: %w", ErrMalformedResponse, a.red.hide(cause))
	}
	return e
}

// tooLarge is the error of an answer whose body is over the size limit.
func (a *answer) tooLarge() *ResponseError {
	return &ResponseError{StatusCode: a.status, ContentType: a.red.clean(a.contentType), Err: ErrResponseTooLarge}
}

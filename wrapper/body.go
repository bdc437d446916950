package wrapper

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// readAnswer reads a 2xx answer's body whole, bounded by the client's limit. One whose
// declared length is over the limit is refused without reading it; one that grows past the
// limit is refused once the limit is passed. A body that breaks off (a dropped connection, a
// timeout) gives the read error, wrapped and as it came, for the retry policy to judge; the
// caller hides the call's secrets in it.
func (c *Client) readAnswer(resp *http.Response, info callInfo, red *redactor) (*answer, error) {
	// Closing without draining: after an error the connection is not worth keeping, and
	// after a whole body there is nothing left to drain.
	defer func() { _ = resp.Body.Close() }()
	ans := &answer{
		status:      resp.StatusCode,
		contentType: resp.Header.Get("Content-Type"),
		quote:       info.auth == authBearer,
		red:         *red,
	}
	body, err := readLimited(resp, c.maxBytes)
	switch {
	case errors.Is(err, errOverLimit):
		return nil, ans.tooLarge()
	case err != nil:
		// Not a decoding failure: the answer never arrived whole.
		return nil, fmt.Errorf("bsg2fa: reading the %d answer: %w", resp.StatusCode, err)
	}
	ans.body = body
	return ans, nil
}

// errOverLimit is readLimited's refusal of a body over the limit.
var errOverLimit = errors.New("body over the limit")

// readLimited reads resp's body whole if it is at most limit bytes, reading at most one byte
// more to find out. A body that announces its length is read into a buffer of that size.
// When the body breaks off, what arrived is returned with the error.
func readLimited(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, errOverLimit
	}
	// The announced length sizes the buffer, within reason: a length is only a claim.
	buf := make([]byte, 0, min(max(resp.ContentLength+1, 512), 64<<10))
	r := io.LimitReader(resp.Body, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errOverLimit
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// readAPIError reads a non-2xx answer into an *APIError and closes it. A body over the size
// limit is not parsed at all (what was cut off cannot be trusted): the error keeps the status
// and also matches ErrResponseTooLarge.
func readAPIError(resp *http.Response, limit int64) *APIError {
	defer func() { _ = resp.Body.Close() }()
	body, err := readLimited(resp, limit)
	if errors.Is(err, errOverLimit) {
		e := newAPIError(resp.StatusCode, nil)
		e.tooLarge = true
		return e
	}
	// Whatever arrived before a body broke off is still worth reading.
	return newAPIError(resp.StatusCode, body)
}

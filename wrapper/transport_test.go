package wrapper

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMalformedSuccessResponses(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantSnippet string
	}{
		{"HTML page", "text/html", `<html><body>Service maintenance</body></html>`, "<html><body>Service maintenance"},
		{"HTML page without a content type", "", `<!DOCTYPE html><html></html>`, "<!DOCTYPE html>"},
		{"text that is not JSON", "text/plain", `Service Unavailable`, "Service Unavailable"},
		{"JSON under text/html, but not a session", "text/html; charset=UTF-8", `{"data":{"id":5}}`, `{"data"`},
		{"empty body", "application/json", ``, ""},
		{"truncated JSON", "application/json", sendBody[:80], `{"data"`},
		{"invalid JSON", "application/json", `{"data":{"id":}`, `{"data"`},
		{"null", "application/json", `null`, "null"},
		{"null data", "application/json", `{"data":null}`, `{"data":null}`},
		{"empty data", "application/json", `{"data":{}}`, `{"data":{}}`},
		{"no data", "application/json", `{"id":"x"}`, `{"id":"x"}`},
		{"array", "application/json", `[1,2,3]`, `[1,2,3]`},
		{"wrong type: id number", "application/json", `{"data":{"id":5}}`, `{"data"`},
		{"wrong type: code_lifetime string", "application/json", `{"data":{"id":"x","code_lifetime":"300"}}`, `{"data"`},
		{"bad price", "application/json", `{"data":{"id":"x","price":"abc"}}`, `{"data"`},
		{"bad price type", "application/json", `{"data":{"id":"x","price":{"v":1}}}`, `{"data"`},
		{"bad timestamp", "application/json", `{"data":{"id":"x","created_at":"yesterday"}}`, `{"data"`},
		{"bad message id", "application/json", `{"data":{"id":"x","messages":[{"id":1.5,"status":"sent","sent_at":null}]}}`, `{"data"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = nil
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				_, _ = w.Write([]byte(tt.body))
			})
			a, err := c.GetAuthentication(context.Background(), statusID)
			require.Error(t, err)
			assert.Nil(t, a)
			assert.ErrorIs(t, err, ErrMalformedResponse)
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, http.StatusOK, re.StatusCode)
			assert.Equal(t, tt.contentType, re.ContentType)
			assert.True(t, strings.HasPrefix(re.Snippet, tt.wantSnippet), "snippet %q", re.Snippet)
			assert.LessOrEqual(t, len(re.Snippet), 128)
		})
	}
}

func TestMalformedListResponses(t *testing.T) {
	for _, body := range []string{`{"data":null}`, `{"data":{}}`, `{"data":{"list":null}}`, `{"data":{"list":[{"id":""}],"total":1}}`, `{}`} {
		t.Run(body, func(t *testing.T) {
			c, mux, _ := setup(t)
			mux.HandleFunc("GET /api/2fa/authentications", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, body)
			})
			page, err := c.ListAuthenticationsPage(context.Background(), listReq)
			assert.Nil(t, page)
			assert.ErrorIs(t, err, ErrMalformedResponse)
		})
	}
	for _, body := range []string{`{"data":null}`, `{}`, `{"data":"x"}`, `{"data":{"total":3}}`, `{"data":[{"template_id":"abc"}]}`, `{"data":[{"name":"no id"}]}`} {
		t.Run("templates "+body, func(t *testing.T) {
			c, mux, _ := setup(t)
			mux.HandleFunc("GET /api/2fa/authentications/templates", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, body)
			})
			page, err := c.ListTemplatesPage(context.Background(), ListTemplatesRequest{})
			assert.Nil(t, page)
			assert.ErrorIs(t, err, ErrMalformedResponse)
		})
	}
}

func TestErrorResponsesOfAnyShape(t *testing.T) {
	bodies := []string{``, `<html>502 Bad Gateway</html>`, `{"message":`, `null`, `[]`, `{"errors":5}`, strings.Repeat("x", 10000)}
	for i, body := range bodies {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			c, mux, _ := setup(t, WithMaxRetries(0))
			mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(body))
			})
			_, err := c.GetAuthentication(context.Background(), statusID)
			assert.ErrorIs(t, err, ErrServiceUnavailable)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
			assert.Less(t, len(err.Error()), 1000)
		})
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 1 << 10
	big := `{"data":{"id":"x","message_text":"` + strings.Repeat("a", 4*limit) + `"}}`
	tests := []struct {
		name    string
		chunked bool
	}{
		{"declared length", false},
		{"chunked", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t, WithMaxResponseBytes(limit))
			mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !tt.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(big)))
					_, _ = w.Write([]byte(big))
					return
				}
				writeChunks(w, big)
			})
			a, err := c.GetAuthentication(context.Background(), statusID)
			assert.Nil(t, a)
			require.ErrorIs(t, err, ErrResponseTooLarge)
			assert.NotErrorIs(t, err, ErrMalformedResponse)
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, http.StatusOK, re.StatusCode)
		})
	}

	t.Run("just under the limit", func(t *testing.T) {
		body := `{"data":{"id":"` + statusID + `","message_text":"` + strings.Repeat("a", limit-80) + `"}}`
		require.LessOrEqual(t, len(body), limit)
		c, mux, _ := setup(t, WithMaxResponseBytes(limit))
		mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, body)
		})
		a, err := c.GetAuthentication(context.Background(), statusID)
		require.NoError(t, err)
		assert.Len(t, a.MessageText, limit-80)
	})
}

// writeChunks writes body in flushed pieces of 256 bytes, so that it travels chunked and the
// client sees it grow; it stops when the client hangs up.
func writeChunks(w http.ResponseWriter, body string) {
	for rest := body; rest != ""; {
		chunk := rest[:min(256, len(rest))]
		rest = rest[len(chunk):]
		if _, err := w.Write([]byte(chunk)); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
}

func TestReadLimitedStopsReading(t *testing.T) {
	// The reader refuses once the limit is passed and asks the source for no more than
	// limit+1 bytes in all, whether or not the body announces its length.
	for _, length := range []int64{-1, 1 << 20} {
		src := &countingReader{r: strings.NewReader(strings.Repeat("x", 1<<20))}
		resp := &http.Response{StatusCode: http.StatusOK, Body: src, ContentLength: -1}
		_, err := readLimited(resp, 100)
		assert.ErrorIs(t, err, errOverLimit)
		assert.Equal(t, 101, src.n)
		if length > 0 {
			src.n = 0
			resp.ContentLength = length
			_, err = readLimited(resp, 100)
			assert.ErrorIs(t, err, errOverLimit)
			assert.Zero(t, src.n, "a declared length over the limit is refused unread")
		}
	}
	body, err := readLimited(&http.Response{Body: io.NopCloser(strings.NewReader("12345")), ContentLength: 5}, 5)
	require.NoError(t, err)
	assert.Equal(t, "12345", string(body))
}

type countingReader struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *countingReader) Close() error { return nil }

func TestTransportErrorPassedThrough(t *testing.T) {
	c, _, srv := setup(t, WithMaxRetries(0))
	srv.Close()
	_, err := c.GetAuthentication(context.Background(), statusID)
	require.Error(t, err)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr))
	var re *ResponseError
	assert.False(t, errors.As(err, &re))
}

package wrapper_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// pagedList answers the list endpoint for n sessions; with total false it leaves the total
// out, as a service may.
func pagedList(t *testing.T, n int, withTotal bool) (*wrapper.Client, *atomic.Int32) {
	t.Helper()
	var requests atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		offset, _ := strconv.Atoi(r.URL.Query().Get("page[offset]"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("page[limit]"))
		body := `{"data":{"list":[`
		for i := offset; i < min(n, offset+limit); i++ {
			if i > offset {
				body += ","
			}
			body += fmt.Sprintf(`{"id":"00000000-0000-4000-8000-%012d","recipient":"380501403813","status":"pending","channel":"sms","sender":"S","message_text":"x","code_lifetime":30,"code_max_tries":3,"code_digits":6,"price":"0","currency":"USD","country_code":"UA","expired_at":"2026-11-02 09:00:30","created_at":"2026-11-02 09:00:00","updated_at":"2026-11-02 09:00:00","finished_at":null}`, i)
		}
		body += `]`
		if withTotal {
			body += `,"total":` + strconv.Itoa(n)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body + `}}`))
	}))
	t.Cleanup(ts.Close)
	c, err := wrapper.New("", wrapper.WithToken("bearer"), wrapper.WithBaseURL(ts.URL))
	require.NoError(t, err)
	return c, &requests
}

func TestAuthenticationPages(t *testing.T) {
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		n         int
		withTotal bool
		sizes     []int
		requests  int32
	}{
		{name: "total given, exact pages", n: 20, withTotal: true, sizes: []int{10, 10}, requests: 2},
		{name: "total given, short last page", n: 25, withTotal: true, sizes: []int{10, 10, 5}, requests: 3},
		{name: "no total, exact pages", n: 20, sizes: []int{10, 10, 0}, requests: 3},
		{name: "empty", n: 0, withTotal: true, sizes: []int{0}, requests: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, requests := pagedList(t, tc.n, tc.withTotal)
			var sizes []int
			seen := 0
			for page, err := range c.AuthenticationPages(t.Context(), wrapper.ListAuthenticationsRequest{From: day, To: day, Limit: 10}) {
				require.NoError(t, err)
				sizes = append(sizes, len(page.Items))
				seen += len(page.Items)
				if tc.withTotal {
					assert.Equal(t, tc.n, page.Total)
				}
			}
			assert.Equal(t, tc.sizes, sizes)
			assert.Equal(t, tc.n, seen)
			assert.Equal(t, tc.requests, requests.Load())
		})
	}
	t.Run("break stops the requests", func(t *testing.T) {
		c, requests := pagedList(t, 50, true)
		for range c.AuthenticationPages(t.Context(), wrapper.ListAuthenticationsRequest{From: day, To: day, Limit: 10}) {
			break
		}
		assert.Equal(t, int32(1), requests.Load())
	})
	t.Run("an error ends the walk", func(t *testing.T) {
		c, requests := pagedList(t, 50, true)
		var errs int
		for page, err := range c.AuthenticationPages(t.Context(), wrapper.ListAuthenticationsRequest{From: day, To: day.AddDate(0, 0, -1)}) {
			assert.Nil(t, page)
			require.Error(t, err)
			errs++
		}
		assert.Equal(t, 1, errs)
		assert.Zero(t, requests.Load(), "refused before sending")
	})
}

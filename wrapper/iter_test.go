package wrapper

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listServer answers GET /api/2fa/authentications from total sessions a0…a(total-1),
// honouring page[offset] and page[limit]. failAt, when positive, makes the page starting at
// that offset a 500.
func listServer(t *testing.T, mux *http.ServeMux, total, failAt int, n *atomic.Int32) {
	t.Helper()
	mux.HandleFunc("GET /api/2fa/authentications", counter(n, func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("page[offset]"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("page[limit]"))
		if failAt > 0 && offset == failAt {
			writeJSON(w, http.StatusInternalServerError, `{"message":"2FA Service error."}`)
			return
		}
		var items []string
		for i := offset; i < total && i < offset+limit; i++ {
			items = append(items, authenticationJSON("a"+strconv.Itoa(i)))
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"data":{"list":[%s],"total":%d}}`, strings.Join(items, ","), total))
	}))
}

var listReq = ListAuthenticationsRequest{From: utc("2023-01-01 00:00:00"), To: utc("2023-01-31 00:00:00")}

func TestListAuthenticationsWalksAllPages(t *testing.T) {
	c, mux, _ := setup(t)
	var n atomic.Int32
	listServer(t, mux, 250, 0, &n)
	var ids []string
	for a, err := range c.ListAuthentications(context.Background(), listReq) {
		require.NoError(t, err)
		ids = append(ids, a.ID)
	}
	require.Len(t, ids, 250)
	assert.Equal(t, "a0", ids[0])
	assert.Equal(t, "a249", ids[249])
	assert.Equal(t, int32(3), n.Load(), "250 items in pages of 100")
}

func TestListAuthenticationsExactMultiple(t *testing.T) {
	c, mux, _ := setup(t)
	var n atomic.Int32
	listServer(t, mux, 200, 0, &n)
	count := 0
	for _, err := range c.ListAuthentications(context.Background(), listReq) {
		require.NoError(t, err)
		count++
	}
	assert.Equal(t, 200, count)
	assert.Equal(t, int32(2), n.Load(), "the total says there is no third page")
}

func TestListAuthenticationsEarlyBreak(t *testing.T) {
	c, mux, _ := setup(t)
	var n atomic.Int32
	listServer(t, mux, 250, 0, &n)
	count := 0
	for _, err := range c.ListAuthentications(context.Background(), listReq) {
		require.NoError(t, err)
		count++
		if count == 100 {
			break
		}
	}
	assert.Equal(t, 100, count)
	assert.Equal(t, int32(1), n.Load(), "no request after the caller stopped")
}

func TestListAuthenticationsErrorYieldedOnce(t *testing.T) {
	c, mux, _ := setup(t, WithMaxRetries(0))
	var n atomic.Int32
	listServer(t, mux, 250, 100, &n)
	count, errs := 0, 0
	for a, err := range c.ListAuthentications(context.Background(), listReq) {
		if err != nil {
			errs++
			assert.ErrorIs(t, err, ErrServiceUnavailable)
			assert.Empty(t, a.ID)
			continue
		}
		count++
	}
	assert.Equal(t, 100, count)
	assert.Equal(t, 1, errs)
	assert.Equal(t, int32(2), n.Load())
}

func TestListAuthenticationsStopsOnEmptyPage(t *testing.T) {
	// A service that announces more than it returns must not make the walk loop.
	c, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("GET /api/2fa/authentications", counter(&n, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page[offset]") == "0" {
			writeJSON(w, http.StatusOK, `{"data":{"list":[`+authenticationJSON("a0")+`],"total":1000}}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"data":{"list":[],"total":1000}}`)
	}))
	count := 0
	for _, err := range c.ListAuthentications(context.Background(), listReq) {
		require.NoError(t, err)
		count++
	}
	assert.Equal(t, 1, count)
	assert.Equal(t, int32(2), n.Load())
}

func TestListAuthenticationsCopiesRequest(t *testing.T) {
	c, mux, _ := setup(t)
	var n atomic.Int32
	listServer(t, mux, 30, 0, &n)
	req := listReq
	req.Limit = 10
	seq := c.ListAuthentications(context.Background(), req)
	count := 0
	for range seq {
		count++
	}
	assert.Equal(t, 0, req.Offset, "the caller's request is not moved")
	assert.Equal(t, 30, count)
	// The sequence can be walked again from the start.
	count = 0
	for range seq {
		count++
	}
	assert.Equal(t, 30, count)
	assert.Equal(t, int32(6), n.Load())
}

func TestListAuthenticationsValidationYieldedOnce(t *testing.T) {
	c, _, _ := setup(t)
	errs := 0
	for _, err := range c.ListAuthentications(context.Background(), ListAuthenticationsRequest{}) {
		assert.ErrorIs(t, err, ErrInvalidParams)
		errs++
	}
	assert.Equal(t, 1, errs)
}

func TestListTemplatesWalk(t *testing.T) {
	tests := []struct {
		name     string
		vendor   bool
		total    bool
		wantReqs int32
	}{
		{"documentation shape with total", false, true, 3},
		{"vendor shape with total", true, true, 3},
		{"no total: until a short page", false, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			var n atomic.Int32
			const all = 25
			mux.HandleFunc("GET /api/2fa/authentications/templates", counter(&n, func(w http.ResponseWriter, r *http.Request) {
				offset, _ := strconv.Atoi(r.URL.Query().Get("page[offset]"))
				limit, _ := strconv.Atoi(r.URL.Query().Get("page[limit]"))
				var items []string
				for i := offset; i < all && i < offset+limit; i++ {
					items = append(items, fmt.Sprintf(`{"template_id":%d,"status":"approved"}`, i+1))
				}
				list := "[" + strings.Join(items, ",") + "]"
				total := ""
				if tt.total {
					total = fmt.Sprintf(`,"total":%d`, all)
				}
				if tt.vendor {
					writeJSON(w, http.StatusOK, `{"data":{"list":`+list+total+`}}`)
					return
				}
				writeJSON(w, http.StatusOK, `{"data":`+list+total+`}`)
			}))
			var ids []int
			for tpl, err := range c.ListTemplates(context.Background(), ListTemplatesRequest{Limit: 10}) {
				require.NoError(t, err)
				ids = append(ids, tpl.ID)
			}
			require.Len(t, ids, all)
			assert.Equal(t, 25, ids[24])
			assert.Equal(t, tt.wantReqs, n.Load())
		})
	}
}

func TestListTemplatesEarlyBreak(t *testing.T) {
	c, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("GET /api/2fa/authentications/templates", counter(&n, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, templateListBody)
	}))
	for range c.ListTemplates(context.Background(), ListTemplatesRequest{}) {
		break
	}
	assert.Equal(t, int32(1), n.Load())
}

func TestPaging(t *testing.T) {
	tests := []struct {
		count, offset, limit, total int
		hasTotal                    bool
		want                        pageInfo
	}{
		{100, 0, 100, 250, true, pageInfo{250, true}},
		{50, 200, 100, 250, true, pageInfo{250, false}},
		{0, 0, 100, 0, true, pageInfo{0, false}},
		{0, 300, 100, 1000, true, pageInfo{1000, false}},
		{10, 0, 10, 0, false, pageInfo{10, true}},
		{7, 20, 10, 0, false, pageInfo{27, false}},
		{0, 20, 10, 0, false, pageInfo{20, false}},
		{10, 0, 10, 5, true, pageInfo{10, false}},
	}
	for _, tt := range tests {
		got := paging(tt.count, tt.offset, tt.limit, tt.total, tt.hasTotal)
		assert.Equal(t, tt.want, got, "%+v", tt)
	}
}

package wrapper

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateTemplate(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusCreated} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			c, mux, _ := setup(t)
			var got map[string]any
			mux.HandleFunc("POST /api/2fa/authentications/templates", func(w http.ResponseWriter, r *http.Request) {
				require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
				writeJSON(w, status, templateBody)
			})
			tpl, err := c.CreateTemplate(context.Background(), CreateTemplateRequest{
				Name: "template name", Text: "test code is {code2fa}", Countries: []string{"UA", "PT", "AD", "IT"},
			})
			require.NoError(t, err)
			assert.Equal(t, map[string]any{
				"name": "template name", "text": "test code is {code2fa}",
				"countries": []any{"UA", "PT", "AD", "IT"},
			}, got)
			assert.Equal(t, Template{
				ID: 515, Name: "template name", Text: "test code is {code2fa}",
				Countries: []string{"AD", "IT", "PT", "UA"}, Status: TemplateRequested,
				UpdatedAt: utc("2023-06-30 14:52:58"),
			}, *tpl)
		})
	}
}

func TestGetTemplate(t *testing.T) {
	c, mux, _ := setup(t)
	var gotID string
	mux.HandleFunc("GET /api/2fa/authentications/templates/{templateId}", func(w http.ResponseWriter, r *http.Request) {
		gotID = r.PathValue("templateId")
		// The documentation page's digit-string form of the id.
		writeJSON(w, http.StatusOK, `{"data":{"template_id":"49","name":"Default","text":"Your code: {code2fa}","status":"approved"}}`)
	})
	tpl, err := c.GetTemplate(context.Background(), 49)
	require.NoError(t, err)
	assert.Equal(t, "49", gotID)
	assert.Equal(t, 49, tpl.ID)
	assert.Equal(t, TemplateApproved, tpl.Status)
	assert.True(t, tpl.UpdatedAt.IsZero())
}

func TestDeleteTemplateAcceptsAnySuccessBody(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"vendor object", "application/json", deleteBody, http.StatusOK},
		{"bare JSON string", "application/json", `"Successfully removed"`, http.StatusOK},
		{"plain text labelled JSON", "application/json", `Successfully removed`, http.StatusOK},
		{"plain text", "text/plain", `Successfully removed`, http.StatusOK},
		{"empty", "", ``, http.StatusNoContent},
		{"over the size limit", "application/json", `{"message":"` + strings.Repeat("x", 4096) + `"}`, http.StatusOK},
		{"cut off", "application/json", `{"message":"Succ`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t, WithMaxResponseBytes(1024))
			var n atomic.Int32
			mux.HandleFunc("DELETE /api/2fa/authentications/templates/{templateId}", counter(&n, func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				if tt.name == "cut off" {
					// More announced than sent: the server hangs up mid-body.
					w.Header().Set("Content-Length", "100")
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			require.NoError(t, c.DeleteTemplate(context.Background(), 515))
			assert.Equal(t, int32(1), n.Load())
		})
	}
}

// TestDeleteTemplateFailedLoginIsAnError: a login whose 2xx answer is unusable fails the
// call; only the DELETE's own 2xx means the template is gone.
func TestDeleteTemplateFailedLoginIsAnError(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>maintenance</html>"))
	})
	var deletes atomic.Int32
	mux.HandleFunc("DELETE /api/2fa/authentications/templates/{templateId}", counter(&deletes, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, deleteBody)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(testAPIKey, WithBaseURL(srv.URL))
	require.NoError(t, err)
	err = c.DeleteTemplate(context.Background(), 515)
	require.ErrorIs(t, err, ErrMalformedResponse)
	assert.Zero(t, deletes.Load())
}

func TestDeleteTemplateDefault(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("DELETE /api/2fa/authentications/templates/{templateId}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnprocessableEntity, `{"message":"The given data was invalid.","errors":["Default template is not available for deletion"]}`)
	})
	err := c.DeleteTemplate(context.Background(), 49)
	assert.ErrorIs(t, err, ErrDefaultTemplate)
}

func TestListTemplatesPageShapes(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		req       ListTemplatesRequest
		wantIDs   []int
		wantTotal int
	}{
		{"documentation shape", templateListBody, ListTemplatesRequest{}, []int{49, 515}, 2},
		{"vendor shape", `{"data":{"list":[{"template_id":7,"status":"approved"}],"total":31}}`,
			ListTemplatesRequest{Limit: 10}, []int{7}, 31},
		{"no total, short page", `{"data":[{"template_id":7},{"template_id":8}]}`,
			ListTemplatesRequest{Offset: 20, Limit: 10}, []int{7, 8}, 22},
		{"empty", `{"data":[],"total":0}`, ListTemplatesRequest{}, []int{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			var query map[string][]string
			mux.HandleFunc("GET /api/2fa/authentications/templates", func(w http.ResponseWriter, r *http.Request) {
				query = r.URL.Query()
				writeJSON(w, http.StatusOK, tt.body)
			})
			page, err := c.ListTemplatesPage(context.Background(), tt.req)
			require.NoError(t, err)
			ids := []int{}
			for _, tpl := range page.Items {
				ids = append(ids, tpl.ID)
			}
			assert.Equal(t, tt.wantIDs, ids)
			assert.Equal(t, tt.wantTotal, page.Total)
			assert.NotEmpty(t, query["page[limit]"])
		})
	}
}

func TestListTemplatesPageQuery(t *testing.T) {
	c, mux, _ := setup(t)
	var query map[string][]string
	mux.HandleFunc("GET /api/2fa/authentications/templates", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.Query()
		writeJSON(w, http.StatusOK, templateListBody)
	})
	_, err := c.ListTemplatesPage(context.Background(), ListTemplatesRequest{
		Offset: 10, Limit: 50, IDs: []int{49, 515}, Status: TemplateApproved, SortBy: "name", Order: Asc,
	})
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{
		"page[offset]": {"10"}, "page[limit]": {"50"}, "filter[ids]": {"49", "515"},
		"filter[status]": {"approved"}, "sort": {"name"}, "way": {"asc"},
	}, query)
}

// TestGetTemplateIsTheTemplateAskedFor: an answer about another template is malformed, as for
// sessions.
func TestGetTemplateIsTheTemplateAskedFor(t *testing.T) {
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/2fa/authentications/templates/{templateId}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, templateBody) // template 515
	})
	tpl, err := c.GetTemplate(context.Background(), 49)
	assert.Nil(t, tpl)
	require.ErrorIs(t, err, ErrMalformedResponse)
	tpl, err = c.GetTemplate(context.Background(), 515)
	require.NoError(t, err)
	assert.Equal(t, 515, tpl.ID)
}

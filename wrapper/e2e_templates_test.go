package wrapper_test

// End-to-end tests of templates: their lifecycle, the refusals of the wrapper and of the
// sandbox, and listing them (harness: e2e_harness_test.go).

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

func TestE2ETemplates(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t)

	def, err := e.c.GetTemplate(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, def.ID)
	assert.Equal(t, "Your code is {code2fa}", def.Text)
	assert.Equal(t, wrapper.TemplateApproved, def.Status)
	assert.Empty(t, def.Countries, "the default template serves every country")
	e2eSameTime(t, e2eStart, def.UpdatedAt, "UpdatedAt")

	e.clock.Advance(time.Second)
	created, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{
		Name: "Welcome", Text: "Welcome! Your code: {code2fa}", Countries: []string{"ua", "fr"},
	})
	require.NoError(t, err)
	assert.Equal(t, 2, created.ID)
	assert.Equal(t, "Welcome", created.Name)
	assert.Equal(t, "Welcome! Your code: {code2fa}", created.Text)
	assert.ElementsMatch(t, []string{"UA", "FR"}, created.Countries)
	assert.Equal(t, wrapper.TemplateRequested, created.Status)
	e2eSameTime(t, e2eStart.Add(time.Second), created.UpdatedAt, "UpdatedAt")

	got, err := e.c.GetTemplate(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got)

	send := func(recipient string) (*wrapper.Authentication, error) {
		return e.c.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: recipient, Channel: wrapper.ChannelSMS, Sender: "BSG", TemplateID: created.ID})
	}
	_, err = send(e2eUA)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotApproved, http.StatusUnprocessableEntity)

	e.clock.Advance(time.Second)
	require.NoError(t, e.sb.ApproveTemplate(created.ID))
	got, err = e.c.GetTemplate(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, wrapper.TemplateApproved, got.Status)
	e2eSameTime(t, e2eStart.Add(2*time.Second), got.UpdatedAt, "UpdatedAt after approval")

	a, err := send("+380 67 123 45 67")
	require.NoError(t, err)
	assert.Equal(t, "Welcome! Your code: {code}", a.MessageText)
	assert.Equal(t, "UA", a.CountryCode)
	a, err = send("33612345678")
	require.NoError(t, err)
	assert.Equal(t, "FR", a.CountryCode)
	_, err = send("447911123456")
	e2eRequireErr(t, err, wrapper.ErrTemplateNotAvailable, http.StatusUnprocessableEntity)

	require.NoError(t, e.sb.RejectTemplate(created.ID))
	got, err = e.c.GetTemplate(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, wrapper.TemplateRejected, got.Status)
	_, err = send(e2eUA)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotApproved, http.StatusUnprocessableEntity)

	// The sandbox endpoint moderates over plain HTTP, for any language.
	status, body := e.raw(http.MethodPost, "/_sandbox/templates/2/approve", "", false)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"status":"approved"`)
	_, err = send(e2eUA)
	require.NoError(t, err)
	status, body = e.raw(http.MethodPost, "/_sandbox/templates/2/reject", "", false)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"status":"rejected"`)
	status, _ = e.raw(http.MethodPost, "/_sandbox/templates/99/approve", "", false)
	assert.Equal(t, http.StatusNotFound, status)
	assert.ErrorIs(t, e.sb.ApproveTemplate(99), sandbox.ErrTemplateNotFound)
	assert.ErrorIs(t, e.sb.RejectTemplate(99), sandbox.ErrTemplateNotFound)

	require.NoError(t, e.c.DeleteTemplate(ctx, created.ID))
	_, err = e.c.GetTemplate(ctx, created.ID)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotFound, http.StatusNotFound)
	_, err = send(e2eUA)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotFound, http.StatusNotFound)
	err = e.c.DeleteTemplate(ctx, created.ID)
	e2eRequireErr(t, err, wrapper.ErrTemplateNotFound, http.StatusNotFound)

	// A deleted template's name is free again.
	again, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Welcome", Text: "Hi, {code2fa}!!", Countries: []string{"UA"}})
	require.NoError(t, err)
	assert.Equal(t, 3, again.ID)
}

func TestE2ETemplateErrors(t *testing.T) {
	ctx := context.Background()
	create := func(name, text string) func(*e2eEnv) error {
		return func(e *e2eEnv) error {
			_, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: name, Text: text, Countries: []string{"UA"}})
			return err
		}
	}
	through := func(text string) func(*e2eEnv) error {
		return func(e *e2eEnv) error {
			c := e.client(e2eKey, wrapper.WithHTTPClient(&http.Client{Transport: e2eRewrite{next: testkit.NewSpecTransport(e.t, http.DefaultTransport), text: text}}))
			_, err := c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: "Rewritten", Text: "Code: {code2fa}", Countries: []string{"UA"}})
			return err
		}
	}
	tests := []struct {
		name    string
		before  func(e *e2eEnv)
		call    func(e *e2eEnv) error
		want    error
		status  int  // 0: refused by the wrapper, nothing sent
		created bool // whether the case may create a template
	}{
		{
			name:   "name taken",
			before: func(e *e2eEnv) { require.NoError(e.t, create("Taken", "Code {code2fa}")(e)) },
			call:   create("Taken", "Other {code2fa}"), want: wrapper.ErrTemplateNameTaken, status: http.StatusUnprocessableEntity,
		},
		{name: "the default template's name", call: create("Default", "Other {code2fa}"), want: wrapper.ErrTemplateNameTaken, status: http.StatusUnprocessableEntity},
		{name: "code missing, refused by the wrapper", call: create("Missing", "No code here"), want: wrapper.ErrInvalidParams},
		{name: "code repeated, refused by the wrapper", call: create("Twice", "{code2fa} {code2fa}"), want: wrapper.ErrInvalidParams},
		{name: "code missing, answered by the sandbox", call: through("No code here"), want: wrapper.ErrTemplateCodeMissing, status: http.StatusUnprocessableEntity},
		{name: "code repeated, answered by the sandbox", call: through("{code2fa} {code2fa}"), want: wrapper.ErrTemplateCodeRepeated, status: http.StatusUnprocessableEntity},
		{
			name: "an eleventh requested template",
			before: func(e *e2eEnv) {
				for i := range 10 {
					require.NoError(e.t, create("Request "+strconv.Itoa(i), "Code {code2fa}")(e))
				}
			},
			call: create("Request 10", "Code {code2fa}"), want: wrapper.ErrTemplateRequestLimit, status: http.StatusUnprocessableEntity,
		},
		{
			name: "an eleventh template once one of ten is approved",
			before: func(e *e2eEnv) {
				for i := range 10 {
					require.NoError(e.t, create("Request "+strconv.Itoa(i), "Code {code2fa}")(e))
				}
				require.NoError(e.t, e.sb.ApproveTemplate(5))
			},
			call: create("Request 10", "Code {code2fa}"), created: true,
		},
		{
			name: "an eleventh template once one of ten is deleted",
			before: func(e *e2eEnv) {
				for i := range 10 {
					require.NoError(e.t, create("Request "+strconv.Itoa(i), "Code {code2fa}")(e))
				}
				require.NoError(e.t, e.c.DeleteTemplate(ctx, 4))
			},
			call: create("Request 10", "Code {code2fa}"), created: true,
		},
		{name: "get unknown", call: func(e *e2eEnv) error { _, err := e.c.GetTemplate(ctx, 42); return err }, want: wrapper.ErrTemplateNotFound, status: http.StatusNotFound},
		{name: "delete unknown", call: func(e *e2eEnv) error { return e.c.DeleteTemplate(ctx, 42) }, want: wrapper.ErrTemplateNotFound, status: http.StatusNotFound},
		{name: "delete the default template", call: func(e *e2eEnv) error { return e.c.DeleteTemplate(ctx, 1) }, want: wrapper.ErrDefaultTemplate, status: http.StatusUnprocessableEntity},
		{name: "get id 0, refused by the wrapper", call: func(e *e2eEnv) error { _, err := e.c.GetTemplate(ctx, 0); return err }, want: wrapper.ErrInvalidParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			if tt.before != nil {
				tt.before(e)
			}
			requests := e.hitsOf("POST "+e2eTmplPath) + e.hitsOf("GET "+e2eTmplPath+"/42") + e.hitsOf("GET "+e2eTmplPath+"/0")
			err := tt.call(e)
			switch {
			case tt.want == nil:
				require.NoError(t, err)
			case tt.status == 0:
				require.ErrorIs(t, err, tt.want)
				var v *wrapper.ValidationError
				require.ErrorAs(t, err, &v)
				after := e.hitsOf("POST "+e2eTmplPath) + e.hitsOf("GET "+e2eTmplPath+"/42") + e.hitsOf("GET "+e2eTmplPath+"/0")
				assert.Equal(t, requests, after, "a refused call sends nothing")
			default:
				e2eRequireErr(t, err, tt.want, tt.status)
			}
			if !tt.created {
				page, err := e.c.ListTemplatesPage(ctx, wrapper.ListTemplatesRequest{})
				require.NoError(t, err)
				for _, tmpl := range page.Items {
					assert.NotEqual(t, "Rewritten", tmpl.Name)
					assert.NotEqual(t, "Request 10", tmpl.Name)
				}
			}
			def, err := e.c.GetTemplate(ctx, 1)
			require.NoError(t, err)
			assert.Equal(t, wrapper.TemplateApproved, def.Status, "the default template stays")
		})
	}
}

// TestE2ETemplateRulesOverHTTP shows the sandbox's own answers to what the wrapper refuses
// locally. A text without {code2fa} fails the spec's pattern, so it is answered as a field
// error; a repeated one passes the pattern and is refused by the template rules.
func TestE2ETemplateRulesOverHTTP(t *testing.T) {
	tests := []struct {
		name, text, answer string
	}{
		{"code missing", "No code here",
			`{"message":"The given data was invalid.","errors":{"text":["The variable {code2fa} is required in the text"]}}`},
		{"code repeated", "{code2fa} and {code2fa}",
			`{"errors":[{"message":"The {code2fa} variable must occur only once in the text"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			body, err := json.Marshal(map[string]any{"name": "Raw", "text": tt.text, "countries": []string{"UA"}})
			require.NoError(t, err)
			status, answer := e.raw(http.MethodPost, e2eTmplPath, string(body), true)
			assert.Equal(t, http.StatusUnprocessableEntity, status)
			assert.JSONEq(t, tt.answer, answer)
		})
	}
}

func TestE2EListTemplates(t *testing.T) {
	ctx := context.Background()
	e := newE2E(t)
	for i, name := range []string{"Alpha", "Charlie", "Bravo"} { // ids 2, 3, 4
		e.clock.Advance(time.Second)
		tmpl, err := e.c.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: name, Text: name + " {code2fa}", Countries: []string{"UA"}})
		require.NoError(t, err)
		require.Equal(t, i+2, tmpl.ID)
	}
	e.clock.Advance(time.Second)
	require.NoError(t, e.sb.ApproveTemplate(2)) // updated last but one
	e.clock.Advance(time.Second)
	status, _ := e.raw(http.MethodPost, "/_sandbox/templates/4/reject", "", false) // updated last
	require.Equal(t, http.StatusOK, status)
	// updated_at: 1 < 3 < 2 < 4; names: Alpha 2, Bravo 4, Charlie 3, Default 1;
	// statuses: approved 1 2, rejected 4, requested 3.

	tests := []struct {
		name  string
		req   wrapper.ListTemplatesRequest
		want  []int
		total int
	}{
		{"no filter: by updated_at", wrapper.ListTemplatesRequest{}, []int{1, 3, 2, 4}, 4},
		{"ids", wrapper.ListTemplatesRequest{IDs: []int{4, 2}}, []int{2, 4}, 2},
		{"ids with an unknown one", wrapper.ListTemplatesRequest{IDs: []int{3, 77}}, []int{3}, 1},
		{"status approved", wrapper.ListTemplatesRequest{Status: wrapper.TemplateApproved}, []int{1, 2}, 2},
		{"status requested", wrapper.ListTemplatesRequest{Status: wrapper.TemplateRequested}, []int{3}, 1},
		{"status rejected", wrapper.ListTemplatesRequest{Status: "Rejected"}, []int{4}, 1},
		{"status deleted", wrapper.ListTemplatesRequest{Status: wrapper.TemplateDeleted}, []int{}, 0},
		{"ids and status", wrapper.ListTemplatesRequest{IDs: []int{1, 3}, Status: wrapper.TemplateApproved}, []int{1}, 1},
		{"sort template_id", wrapper.ListTemplatesRequest{SortBy: "template_id"}, []int{1, 2, 3, 4}, 4},
		{"sort template_id desc", wrapper.ListTemplatesRequest{SortBy: "template_id", Order: wrapper.Desc}, []int{4, 3, 2, 1}, 4},
		{"sort name", wrapper.ListTemplatesRequest{SortBy: "name", Order: wrapper.Asc}, []int{2, 4, 3, 1}, 4},
		{"sort name desc", wrapper.ListTemplatesRequest{SortBy: "name", Order: wrapper.Desc}, []int{1, 3, 4, 2}, 4},
		{"sort status", wrapper.ListTemplatesRequest{SortBy: "status"}, []int{1, 2, 4, 3}, 4},
		{"sort status desc", wrapper.ListTemplatesRequest{SortBy: "status", Order: wrapper.Desc}, []int{3, 4, 2, 1}, 4},
		{"sort updated_at", wrapper.ListTemplatesRequest{SortBy: "updated_at"}, []int{1, 3, 2, 4}, 4},
		{"sort updated_at desc", wrapper.ListTemplatesRequest{SortBy: "UPDATED_AT", Order: "desc"}, []int{4, 2, 3, 1}, 4},
		{"offset", wrapper.ListTemplatesRequest{Offset: 3, SortBy: "template_id"}, []int{4}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := e.c.ListTemplatesPage(ctx, tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.want, e2eTemplateIDs(page.Items))
			assert.Equal(t, tt.total, page.Total)
		})
	}

	t.Run("listed templates carry their fields", func(t *testing.T) {
		page, err := e.c.ListTemplatesPage(ctx, wrapper.ListTemplatesRequest{IDs: []int{4}})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		got, err := e.c.GetTemplate(ctx, 4)
		require.NoError(t, err)
		assert.Equal(t, *got, page.Items[0])
		assert.Equal(t, "Bravo", got.Name)
		assert.Equal(t, "Bravo {code2fa}", got.Text)
		assert.Equal(t, []string{"UA"}, got.Countries)
		e2eSameTime(t, e2eStart.Add(5*time.Second), got.UpdatedAt, "UpdatedAt")
	})
}

func TestE2EListTemplatesIterator(t *testing.T) {
	ctx := context.Background()
	var opts []sandbox.Option
	for id := 2; id <= 25; id++ {
		opts = append(opts, sandbox.WithApprovedTemplate(id, "Seeded "+strconv.Itoa(id), "Code {code2fa}", "UA"))
	}
	e := newE2E(t, opts...)
	req := wrapper.ListTemplatesRequest{Limit: 10, SortBy: "template_id"}
	var pages []int
	for offset := 0; offset < 30; offset += 10 {
		r := req
		r.Offset = offset
		page, err := e.c.ListTemplatesPage(ctx, r)
		require.NoError(t, err)
		assert.Equal(t, 25, page.Total)
		pages = append(pages, e2eTemplateIDs(page.Items)...)
	}
	want := make([]int, 25)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, pages)
	listPath := "GET " + e2eTmplPath

	tests := []struct {
		name     string
		req      wrapper.ListTemplatesRequest
		stop     int
		want     []int
		requests int
	}{
		{"every page", req, 0, pages, 3},
		{"one page of 100", wrapper.ListTemplatesRequest{SortBy: "template_id"}, 0, pages, 1},
		{"descending", wrapper.ListTemplatesRequest{Limit: 10, SortBy: "template_id", Order: wrapper.Desc}, 0,
			func() []int { p := slices.Clone(pages); slices.Reverse(p); return p }(), 3},
		{"early break", req, 11, pages[:11], 2},
		{"ids", wrapper.ListTemplatesRequest{Limit: 10, IDs: []int{25, 1, 13}, SortBy: "template_id"}, 0, []int{1, 13, 25}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.hitsOf(listPath)
			got := e2eWalk(t, e.c.ListTemplates(ctx, tt.req), tt.stop, func(tmpl wrapper.Template) int { return tmpl.ID })
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.requests, e.hitsOf(listPath)-before)
		})
	}
}

package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// TestSessionLifeCycle drives send → status → a wrong code → the right code → list through
// the command line against a sandbox.
func TestSessionLifeCycle(t *testing.T) {
	ctx := t.Context()
	sb, env := newSandbox(t)

	a := decode[wrapper.Authentication](t, runCLI(t, ctx, env, "",
		"send", "-to", "+380 50 123 4567", "-sender", "Shop", "-digits", "5", "-tries", "2", "-lifetime", "90s", "-json"))
	require.NotEmpty(t, a.ID)
	assert.Equal(t, wrapper.StatusPending, a.Status)
	assert.Equal(t, "380501234567", a.Recipient)
	assert.Equal(t, 5, a.CodeDigits)
	assert.Equal(t, 2, a.CodeMaxTries)
	assert.Equal(t, 90*time.Second, a.CodeLifetime)
	code, ok := sb.LastCode(a.ID)
	require.True(t, ok)

	steps := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		stdout   []string // each must appear
		stderr   []string
	}{
		{"status", []string{"status", a.ID}, "", 0,
			[]string{"id:", a.ID, "status:         pending", "recipient:      380501234567", "country:        UA", "messages:", "delivered"}, nil},
		{"wrong code", []string{"verify", a.ID, wrongCode(code)}, "", 1,
			nil, []string{"bsg2fa verify: ", "404", "The code does not match the expected value"}},
		{"right code, flags after the arguments", []string{"verify", a.ID, code, "-timeout", "5s"}, "", 0,
			[]string{"status:         verified", "price:          0.02 USD", "finished at:"}, nil},
		{"verified again", []string{"verify", a.ID, "-code", "-"}, code + "\n", 1,
			nil, []string{"422", "Authentication invalid status"}},
		{"status after verification", []string{"status", a.ID}, "", 0,
			[]string{"status:         verified", "price:          0.02 USD", "0.0642918 USD"}, nil},
		{"list", []string{"list"}, "", 0,
			[]string{"ID", "STATUS", a.ID, "verified", "0.02 USD", "1 session"}, nil},
		{"list filtered out", []string{"list", "-status", "pending"}, "", 0,
			[]string{"0 sessions"}, nil},
		{"unknown session", []string{"status", "00000000-0000-4000-8000-000000000000"}, "", 1,
			nil, []string{"404", "Authentication not found"}},
	}
	for _, s := range steps {
		r := runCLI(t, ctx, env, s.stdin, s.args...)
		require.Equal(t, s.wantCode, r.code, "%s: stdout %q stderr %q", s.name, r.stdout, r.stderr)
		for _, want := range s.stdout {
			assert.Contains(t, r.stdout, want, s.name)
		}
		for _, want := range s.stderr {
			assert.Contains(t, r.stderr, want, s.name)
		}
		// The code is a secret: the program never prints it, whatever the outcome.
		assert.NotContains(t, r.stdout+r.stderr, code, "%s printed the code", s.name)
	}

	page := decode[wrapper.AuthenticationPage](t, runCLI(t, ctx, env, "", "list", "-json"))
	require.Len(t, page.Items, 1)
	assert.Equal(t, 1, page.Total)
	assert.Equal(t, a.ID, page.Items[0].ID)
	assert.Equal(t, wrapper.StatusVerified, page.Items[0].Status)
	assert.Equal(t, "0.02", page.Items[0].Price.String())
}

// TestResendCancel drives resend and cancel on a new session.
func TestResendCancel(t *testing.T) {
	ctx := t.Context()
	sb, env := newSandbox(t)

	a := decode[wrapper.Authentication](t, runCLI(t, ctx, env, "", "send", "-to", "351912345678", "-sender", "Shop", "-json"))
	first, ok := sb.LastCode(a.ID)
	require.True(t, ok)

	r := runCLI(t, ctx, env, "", "resend", a.ID)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "status:         pending")
	second, _ := sb.LastCode(a.ID)
	assert.NotEqual(t, first, second, "resend draws a new code")

	b := decode[wrapper.Authentication](t, runCLI(t, ctx, env, "", "status", a.ID, "-json"))
	assert.Len(t, b.Messages, 2, "resend records a second message")

	r = runCLI(t, ctx, env, "", "cancel", a.ID)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "status:         canceled")

	r = runCLI(t, ctx, env, "", "cancel", a.ID)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Authentication canceled status")

	r = runCLI(t, ctx, env, "", "resend", a.ID)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "422")
}

// TestListPages walks several pages with -all and reads one page with -limit and -offset.
func TestListPages(t *testing.T) {
	ctx := t.Context()
	_, env := newSandbox(t)
	const n = 12
	ids := make([]string, 0, n)
	for i := range n {
		a := decode[wrapper.Authentication](t, runCLI(t, ctx, env, "",
			"send", "-to", "38050123456"+strconv.Itoa(i%10), "-sender", "Shop", "-channel", "viber", "-sender-alt", "ShopSMS", "-json"))
		ids = append(ids, a.ID)
	}

	all := decode[wrapper.AuthenticationPage](t, runCLI(t, ctx, env, "", "list", "-all", "-limit", "10", "-json"))
	assert.Len(t, all.Items, n)
	assert.Equal(t, n, all.Total)

	page := decode[wrapper.AuthenticationPage](t, runCLI(t, ctx, env, "", "list", "-limit", "10", "-offset", "10", "-json"))
	assert.Len(t, page.Items, n-10)
	assert.Equal(t, n, page.Total)

	r := runCLI(t, ctx, env, "", "list", "-limit", "10")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "10 of 12 sessions from offset 0")

	today := time.Now().UTC().Format(time.DateOnly)
	some := decode[wrapper.AuthenticationPage](t, runCLI(t, ctx, env, "",
		"list", "-from", today, "-to", today, "-ids", ids[0]+","+ids[1], "-channel", "viber", "-country", "ua",
		"-recipient", "+380501234560", "-sort", "created_at", "-order", "desc", "-json"))
	require.Len(t, some.Items, 1)
	assert.Equal(t, ids[0], some.Items[0].ID)
}

// TestTemplates drives templates create → get → list → delete.
func TestTemplates(t *testing.T) {
	ctx := t.Context()
	sb, env := newSandbox(t)

	tpl := decode[wrapper.Template](t, runCLI(t, ctx, env, "",
		"templates", "create", "-name", "Login code", "-text", "Your login code: {code2fa}", "-countries", "ua,PT", "-json"))
	require.Greater(t, tpl.ID, 1)
	assert.Equal(t, wrapper.TemplateRequested, tpl.Status)
	assert.ElementsMatch(t, []string{"UA", "PT"}, tpl.Countries)
	id := strconv.Itoa(tpl.ID)

	r := runCLI(t, ctx, env, "", "templates", "get", id)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "name:       Login code")
	assert.Contains(t, r.stdout, "status:     requested")

	// A template waiting for approval cannot send.
	r = runCLI(t, ctx, env, "", "send", "-to", "380501234567", "-sender", "Shop", "-template", id)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Invalid template status")

	require.NoError(t, sb.ApproveTemplate(tpl.ID))
	list := decode[wrapper.TemplatePage](t, runCLI(t, ctx, env, "", "templates", "list", "-sort", "template_id", "-order", "asc", "-json"))
	require.Len(t, list.Items, 2)
	assert.Equal(t, 1, list.Items[0].ID)
	assert.Equal(t, wrapper.TemplateApproved, list.Items[1].Status)

	all := decode[wrapper.TemplatePage](t, runCLI(t, ctx, env, "", "templates", "list", "-all", "-status", "approved", "-ids", "1,"+id, "-json"))
	assert.Len(t, all.Items, 2)

	r = runCLI(t, ctx, env, "", "templates", "list")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Login code")
	assert.Contains(t, r.stdout, "PT,UA")
	assert.Contains(t, r.stdout, "2 templates")

	r = runCLI(t, ctx, env, "", "send", "-to", "380501234567", "-sender", "Shop", "-template", id)
	assert.Equal(t, 0, r.code, r.stderr)

	r = runCLI(t, ctx, env, "", "templates", "delete", id)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "template "+id+" deleted\n", r.stdout)

	r = runCLI(t, ctx, env, "", "templates", "get", id)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "404")
	assert.Contains(t, r.stderr, "Template not found")

	r = runCLI(t, ctx, env, "", "templates", "delete", "1", "-json")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Default template is not available for deletion")

	r = runCLI(t, ctx, env, "", "templates", "create", "-name", "Twice", "-text", "{code2fa} and {code2fa}", "-countries", "UA")
	assert.Equal(t, 2, r.code, "refused before sending: a usage error")
	assert.Equal(t, "bsg2fa templates create: -text must contain {code2fa} only once\n", r.stderr)
}

// TestFailures checks the exit status and message of what the service or the setup refuses.
func TestFailures(t *testing.T) {
	ctx := t.Context()
	_, env := newSandbox(t, sandbox.WithStopList("380501234567"))
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for key, val := range env {
			m[key] = val
		}
		m[k] = v
		return m
	}
	// Nothing listens on port 1: a request there would fail with exit 1, not 2.
	unreachable := map[string]string{"BSG_BASE_URL": "http://127.0.0.1:1", "BSG_API_KEY": testKey}

	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		stderr   string
	}{
		{"stop list", env, []string{"send", "-to", "+380501234567", "-sender", "Shop"}, 1, "Recipient exists on the stop list"},
		{"refused key", with("BSG_API_KEY", "not-the-key"), []string{"list"}, 1, "401"},
		{"key from the flag wins", with("BSG_API_KEY", "not-the-key"), []string{"list", "-api-key", testKey}, 0, ""},
		{"base URL from the flag wins", with("BSG_BASE_URL", "http://127.0.0.1:1"), []string{"list", "-base-url", env["BSG_BASE_URL"]}, 0, ""},
		{"no key", map[string]string{"BSG_BASE_URL": env["BSG_BASE_URL"]}, []string{"list"}, 2, "no API key: set BSG_API_KEY"},
		{"plain http to a remote host", with("BSG_BASE_URL", "http://example.com"), []string{"list"}, 2, "bsg2fa list: BSG_BASE_URL: http:// is allowed only for loopback hosts"},
		{"plain http to a remote host by flag", env, []string{"list", "-base-url", "http://example.com"}, 2, "bsg2fa list: -base-url: http:// is allowed only for loopback hosts"},
		{"bad recipient", unreachable, []string{"send", "-to", "12345", "-sender", "Shop"}, 2, "bsg2fa send: -to must be 9 to 15 digits"},
		{"bad channel", unreachable, []string{"send", "-to", "380501234567", "-sender", "Shop", "-channel", "fax"}, 2, "bsg2fa send: -channel must be sms or viber\n"},
		{"bad lifetime", unreachable, []string{"send", "-to", "380501234567", "-sender", "Shop", "-lifetime", "10s"}, 2, "bsg2fa send: -lifetime must be 30s to 5m, in whole seconds\n"},
		{"bad code", unreachable, []string{"verify", "some-id", "12"}, 2, "bsg2fa verify: CODE must be 3 to 9 digits"},
		{"bad code by flag", unreachable, []string{"verify", "some-id", "-code", "12"}, 2, "bsg2fa verify: -code must be 3 to 9 digits"},
		{"bad tries", unreachable, []string{"send", "-to", "380501234567", "-tries", "9"}, 2, "bsg2fa send: -tries must be from 1 to 5\n"},
		{"bad template", unreachable, []string{"send", "-to", "380501234567", "-template", "0"}, 2, "bsg2fa send: -template must be from 1 to 999999999\n"},
		{"from after to", unreachable, []string{"list", "-from", "2026-01-02", "-to", "2026-01-01"}, 2, "bsg2fa list: -from must not be after -to\n"},
		{"login refused, one prefix", with("BSG_API_KEY", "not-the-key"), []string{"status", "x"}, 1, "bsg2fa status: login: 401 Unauthorized: Unauthenticated.\n"},
		{"bad limit", unreachable, []string{"list", "-limit", "5"}, 2, "bsg2fa list: -limit must be from 10 to 500\n"},
		{"bad template id", unreachable, []string{"templates", "get", "0"}, 2, "bsg2fa templates get: ID must be from 1 to 999999999\n"},
		{"bad timeout", unreachable, []string{"status", "x", "-timeout", "0s"}, 2, "-timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, ctx, tt.env, "", tt.args...)
			assert.Equal(t, tt.wantCode, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			assert.NotContains(t, r.stderr, "not-the-key")
			if tt.wantCode != 0 {
				first, _, _ := strings.Cut(r.stderr, "\n")
				assert.Equal(t, 1, strings.Count(first, "bsg2fa"), "one prefix: %q", first)
			}
			if tt.wantCode != 0 {
				assert.Empty(t, r.stdout)
			}
		})
	}
}

// TestUsage checks -h everywhere (exit 0, usage on stdout) and command lines that cannot run
// (exit 2, message and usage on stderr), none of which reaches the network.
func TestUsage(t *testing.T) {
	env := map[string]string{"BSG_BASE_URL": "http://127.0.0.1:1", "BSG_API_KEY": testKey}
	help := [][]string{
		{"-h"}, {"-help"}, {"--help"}, {"help"}, {"help", "send"}, {"help", "templates", "create"},
		{"templates", "-h"}, {"templates", "help"},
	}
	for _, cmd := range commands() {
		help = append(help, []string{cmd.name, "-h"}, []string{cmd.name, "-help"})
	}
	for _, cmd := range templateCommands() {
		help = append(help, []string{"templates", cmd.name, "-h"}, []string{"templates", cmd.name, "--help"})
	}
	for _, args := range help {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runCLI(t, t.Context(), env, "", args...)
			assert.Equal(t, 0, r.code, r.stderr)
			assert.Contains(t, r.stdout, "Usage: bsg2fa")
			assert.Empty(t, r.stderr)
		})
	}

	bad := []struct {
		args   []string
		stderr string
	}{
		{nil, "no command given"},
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"templates"}, "no templates command given"},
		{[]string{"templates", "bogus"}, `unknown templates command "bogus"`},
		{[]string{"send"}, "-to is required"},
		{[]string{"send", "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"send", "-to", "380501234567", "-sender", "Shop", "extra"}, `unexpected argument "extra"`},
		{[]string{"send", "-digits", "six"}, "invalid value"},
		{[]string{"status"}, "missing argument ID"},
		{[]string{"resend", "a", "b"}, `unexpected argument "b"`},
		{[]string{"cancel"}, "missing argument ID"},
		{[]string{"verify", "id"}, "missing argument: the code"},
		{[]string{"verify", "id", "123", "-code", "123"}, "not both"},
		{[]string{"verify", "id", "-code", "-"}, "no code on stdin"},
		{[]string{"list", "-from", "yesterday"}, "want a date as YYYY-MM-DD"},
		{[]string{"templates", "get"}, "missing argument ID"},
		{[]string{"templates", "get", "abc"}, `"abc" is not a template id`},
		{[]string{"templates", "delete", "1", "2"}, `unexpected argument "2"`},
		{[]string{"templates", "list", "-ids", "1,x"}, `"x" is not a template id`},
		{[]string{"templates", "create", "-name", "n"}, "-text is required"},
		{[]string{"templates", "create", "-name", "name", "-text", "Code {code2fa}"}, "-countries is required"},
		{[]string{"demo", "now"}, `unexpected argument "now"`},
		{[]string{"sandbox", "-balance", "lots"}, "-balance"},
		{[]string{"sandbox", "-balance", "-1"}, `-balance: "-1" is not an amount`},
		{[]string{"sandbox", "-price", "0.00000001"}, `-price: "0.00000001" is not an amount`},
		{[]string{"sandbox", "-message-price", "1."}, `-message-price: "1." is not an amount`},
		{[]string{"sandbox", "-token-ttl", "-1h"}, "-token-ttl must be positive"},
		{[]string{"sandbox", "-currency", "EURO"}, "-currency must be three letters"},
		{[]string{"version", "x"}, "unexpected argument"},
	}
	for _, tt := range bad {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCLI(t, t.Context(), env, "", tt.args...)
			assert.Equal(t, 2, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			assert.Contains(t, r.stderr, "Usage: bsg2fa")
			assert.Empty(t, r.stdout)
		})
	}
}

// TestAPIKeyFlagNeverPrinted runs with the key on the command line through help, usage
// errors and service errors.
func TestAPIKeyFlagNeverPrinted(t *testing.T) {
	_, env := newSandbox(t)
	noKey := map[string]string{"BSG_BASE_URL": env["BSG_BASE_URL"]}
	tests := []struct {
		args     []string
		wantCode int
	}{
		{[]string{"list", "-api-key", testKey, "-h"}, 0},
		{[]string{"list", "-api-key", testKey, "-bogus"}, 2},
		{[]string{"list", "-api-key", testKey, "-v"}, 0},
		{[]string{"status", "-api-key", testKey, "00000000-0000-4000-8000-000000000000", "-v"}, 1},
		{[]string{"send", "-api-key", testKey, "-to", "380501234567", "-sender", "Shop", "-json", "-v"}, 0},
	}
	for _, tt := range tests {
		r := runCLI(t, t.Context(), noKey, "", tt.args...) // runCLI asserts the key is absent
		assert.Equal(t, tt.wantCode, r.code, "%v: %s", tt.args, r.stderr)
	}
}

func TestVersion(t *testing.T) {
	r := runCLI(t, context.Background(), nil, "", "version")
	assert.Equal(t, 0, r.code)
	assert.Equal(t, "bsg2fa "+wrapper.Version+"\n", r.stdout)
}

func TestWrongCode(t *testing.T) {
	tests := map[string]string{"": "000000", "123456": "123457", "0009": "0000", "12a": "121"}
	for in, want := range tests {
		assert.Equal(t, want, wrongCode(in), in)
	}
}

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args     []string
		wantPos  []string
		wantJSON bool
		wantErr  string
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, false, ""},
		{[]string{"-json", "a", "b"}, []string{"a", "b"}, true, ""},
		{[]string{"a", "-json", "b"}, []string{"a", "b"}, true, ""},
		{[]string{"a", "b", "-json"}, []string{"a", "b"}, true, ""},
		{[]string{"--", "-a", "-json"}, []string{"-a", "-json"}, false, ""},
		{[]string{"-json", "--", "a", "-b"}, []string{"a", "-b"}, true, ""},
		{[]string{"a"}, []string{"a"}, false, ""},
		{nil, nil, false, "missing argument ID"},
		{[]string{"a", "b", "c"}, nil, false, `unexpected argument "c"`},
		{[]string{"a", "-x"}, nil, false, "flag provided but not defined: -x"},
	}
	for _, tt := range tests {
		f := newFlagSet("test", "ID [CODE]", "")
		asJSON := f.Bool("json", false, "")
		pos, err := f.parse(tt.args, "ID", "[CODE]")
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, "%q", tt.args)
			continue
		}
		require.NoError(t, err, "%q", tt.args)
		assert.Equal(t, tt.wantPos, pos, "%q", tt.args)
		assert.Equal(t, tt.wantJSON, *asJSON, "%q", tt.args)
	}
}

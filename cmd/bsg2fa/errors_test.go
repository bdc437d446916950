package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// TestErrorJSON maps failures of every origin to their error object: the kind, the HTTP
// status, the service's message, the flag at fault and the wait asked for.
func TestErrorJSON(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"wrong code", &wrapper.APIError{StatusCode: 404, Message: "TwoFA Service error.", Errors: []string{"The code does not match the expected value"}},
			`{"kind":"wrong_code","status":404,"message":"The code does not match the expected value","field":null,"retry_after":null}`},
		{"expired code", &wrapper.APIError{StatusCode: 422, Errors: []string{"Access code expired"}},
			`{"kind":"code_expired","status":422,"message":"Access code expired","field":null,"retry_after":null}`},
		{"attempts", &wrapper.APIError{StatusCode: 422, Errors: []string{"Authentication verifying attempts limit"}},
			`{"kind":"attempts_exceeded","status":422,"message":"Authentication verifying attempts limit","field":null,"retry_after":null}`},
		{"rate limited", &wrapper.APIError{StatusCode: 429, Message: "Too many duplicate request detected", RetryAfter: 1500 * time.Millisecond},
			`{"kind":"rate_limited","status":429,"message":"Too many duplicate request detected","field":null,"retry_after":2}`},
		{"funds", &wrapper.APIError{StatusCode: 402},
			`{"kind":"insufficient_funds","status":402,"message":"Payment Required","field":null,"retry_after":null}`},
		{"field errors name the flag", &wrapper.APIError{StatusCode: 422, Message: "The given data was invalid.",
			Errors:      []string{"The sender field is required.", "The recipient format is invalid."},
			FieldErrors: map[string][]string{"sender": {"The sender field is required."}, "recipient": {"The recipient format is invalid."}}},
			`{"kind":"invalid_params","status":422,"message":"The sender field is required.; The recipient format is invalid.","field":"-to","retry_after":null}`},
		{"unavailable", fmt.Errorf("bsg2fa: login: %w", &wrapper.APIError{StatusCode: 503}),
			`{"kind":"service_unavailable","status":503,"message":"Service Unavailable","field":null,"retry_after":null}`},
		{"malformed", &wrapper.ResponseError{StatusCode: 200, ContentType: "text/html", Err: wrapper.ErrMalformedResponse},
			`{"kind":"malformed_response","status":200,"message":"malformed response (status 200, text/html)","field":null,"retry_after":null}`},
		{"too large", &wrapper.ResponseError{StatusCode: 200, Err: wrapper.ErrResponseTooLarge},
			`{"kind":"response_too_large","status":200,"message":"response too large (status 200)","field":null,"retry_after":null}`},
		{"validation", &wrapper.ValidationError{Field: "CodeDigits", Reason: "must be from 3 to 9"},
			`{"kind":"invalid_params","status":null,"message":"-digits must be from 3 to 9","field":"-digits","retry_after":null}`},
		{"validation of a field no flag sets", &wrapper.ValidationError{Field: "Later", Reason: "must be soon"},
			`{"kind":"invalid_params","status":null,"message":"invalid Later: must be soon","field":"Later","retry_after":null}`},
		{"network", fmt.Errorf("bsg2fa: login: %w", &url.Error{Op: "Post", URL: "http://127.0.0.1:1/api/auth/login", Err: refused}),
			`{"kind":"network","status":null,"message":"login: Post \"http://127.0.0.1:1/api/auth/login\": dial tcp: connection refused","field":null,"retry_after":null}`},
		{"timeout", &url.Error{Op: "Get", URL: "https://x/", Err: context.DeadlineExceeded},
			`{"kind":"timeout","status":null,"message":"Get \"https://x/\": context deadline exceeded","field":null,"retry_after":null}`},
		{"local", errors.New("reading the code from stdin: broken"),
			`{"kind":"local","status":null,"message":"reading the code from stdin: broken","field":null,"retry_after":null}`},
		{"usage", &usageError{msg: "-to is required", field: "-to"},
			`{"kind":"usage","status":null,"message":"-to is required","field":"-to","retry_after":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			c := &cli{ctx: t.Context(), stderr: &stderr, json: true}
			c.nameFields(fieldRule{field: "recipient", flag: "-to"}, fieldRule{field: "CodeDigits", flag: "-digits"})
			code := c.report(tt.err)
			assert.Equal(t, `{"error":`+tt.want+"}\n", stderr.String())
			var e errorJSON
			require.NoError(t, json.Unmarshal(stderr.Bytes(), &e))
			wantCode := exitFailure
			if e.Error.Kind == kindUsage || e.Error.Kind == "invalid_params" && e.Error.Status == nil {
				wantCode = exitUsage
			}
			assert.Equal(t, wantCode, code)
		})
	}

	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		var stderr bytes.Buffer
		c := &cli{ctx: ctx, stderr: &stderr, json: true}
		assert.Equal(t, exitFailure, c.report(fmt.Errorf("list: %w", context.Canceled)))
		assert.Contains(t, stderr.String(), `"kind":"interrupted"`)
	})
}

// TestErrorKindsAreStable: each kind names one sentinel, is snake_case, and is listed in the
// README's "Command line" section, which scripts read.
func TestErrorKindsAreStable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "## Command line")
	require.True(t, ok, "README has a Command line section")
	section, _, _ = strings.Cut(section, "\n## ")

	seen := map[string]bool{}
	kinds := []string{kindUsage, kindInterrupted, kindTimeout, kindNetwork, kindLocal}
	for _, k := range errorKinds {
		kinds = append(kinds, k.kind)
		c := &cli{ctx: t.Context()}
		assert.Equal(t, k.kind, c.errorKind(fmt.Errorf("wrapped: %w", k.err)), "%v", k.err)
	}
	var unlisted []string
	for _, kind := range kinds {
		assert.False(t, seen[kind], "%s twice", kind)
		seen[kind] = true
		assert.Regexp(t, snakeCase, kind)
		if !strings.Contains(section, "`"+kind+"`") {
			unlisted = append(unlisted, kind)
		}
	}
	assert.Empty(t, unlisted, "kinds the README's Command line section does not list")
}

// TestGlobalFlagsBeforeTheCommand: -v, -json and -base-url work before the command (and a
// templates command) as after it.
func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	_, env := newSandbox(t)
	unreachable := map[string]string{"BSG_BASE_URL": "http://127.0.0.1:1", "BSG_API_KEY": testKey}

	r := runCLI(t, t.Context(), unreachable, "", "-base-url", env["BSG_BASE_URL"], "-json", "templates", "get", "1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"template_id": 1`)

	r = runCLI(t, t.Context(), env, "", "templates", "-json", "get", "1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"template_id": 1`)

	r = runCLI(t, t.Context(), unreachable, "", "-v", "--base-url="+env["BSG_BASE_URL"], "list")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "0 sessions")
	assert.Contains(t, r.stderr, "msg=", "-v logs as text")

	r = runCLI(t, t.Context(), env, "", "-json", "-v", "send", "-to", "380501234567")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		assert.True(t, json.Valid([]byte(line)), "with -json, -v logs JSON lines: %q", line)
	}

	r = runCLI(t, t.Context(), env, "", "-json=false", "status", "x", "-timeout", "0s")
	assert.Equal(t, exitUsage, r.code)
	assert.True(t, strings.HasPrefix(r.stderr, "bsg2fa status: -timeout must be positive\n"), r.stderr)

	r = runCLI(t, t.Context(), env, "", "-json", "--", "list")
	assert.Equal(t, exitUsage, r.code, "-- is no command")
	assert.Contains(t, r.stderr, `"kind":"usage"`)
}

// TestSendTemplateAndSender: the real service has no default template or sender; a loopback
// sandbox does, and the environment fills both in.
func TestSendTemplateAndSender(t *testing.T) {
	_, env := newSandbox(t, sandbox.WithApprovedTemplate(42, "Shop code", "Shop code: {code2fa}"))
	remote := map[string]string{"BSG_BASE_URL": "https://api.example.com", "BSG_API_KEY": testKey}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	failures := []struct {
		name   string
		env    map[string]string
		args   []string
		stderr string
	}{
		{"no sender", remote, []string{"send", "-to", "380501234567", "-template", "5"}, "bsg2fa send: -sender is required (or set BSG_SENDER)\n"},
		{"no template", remote, []string{"send", "-to", "380501234567", "-sender", "Shop"}, "bsg2fa send: -template is required (or set BSG_TEMPLATE_ID): the service has no default template\n"},
		{"no template, sender from the environment", with(remote, "BSG_SENDER", "Shop"), []string{"send", "-to", "380501234567"}, "-template is required"},
		{"bad template in the environment", with(remote, "BSG_TEMPLATE_ID", "five", "BSG_SENDER", "Shop"), []string{"send", "-to", "380501234567"}, `BSG_TEMPLATE_ID: "five" is not a template id`},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, t.Context(), tt.env, "", tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.True(t, strings.HasPrefix(r.stderr, "bsg2fa send: "), r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}

	sent := func(env map[string]string, args ...string) wrapper.Authentication {
		t.Helper()
		return decode[wrapper.Authentication](t, runCLI(t, t.Context(), env, "", append([]string{"send", "-to", "380501234567", "-json"}, args...)...))
	}
	a := sent(env)
	assert.Equal(t, "bsg2fa", a.Sender, "a sandbox needs no sender")
	assert.Equal(t, "Your code is {code}", a.MessageText, "a sandbox uses its template 1")
	a = sent(with(env, "BSG_SENDER", "EnvShop", "BSG_TEMPLATE_ID", "42"))
	assert.Equal(t, "EnvShop", a.Sender)
	assert.Equal(t, "Shop code: {code}", a.MessageText)
	a = sent(with(env, "BSG_SENDER", "EnvShop", "BSG_TEMPLATE_ID", "42"), "-sender", "FlagShop", "-template", "1")
	assert.Equal(t, "FlagShop", a.Sender, "the flag wins")
	assert.Equal(t, "Your code is {code}", a.MessageText, "the flag wins")
}

// TestStatusProgress: the human status shows the codes sent, the attempts used and what can
// be done next, in every state; the JSON form stays the session alone.
func TestStatusProgress(t *testing.T) {
	tr := newTranscript(t, "status-progress")
	human := func(id string) string {
		t.Helper()
		r := tr.run("status", id)
		require.Equal(t, exitOK, r.code, r.stderr)
		return r.stdout
	}
	pending := tr.id("send", "-to", "380501234567", "-tries", "2", "-lifetime", "60s", "-json")
	tr.clock.Advance(10 * time.Second)
	tr.run("resend", pending, "-json")
	out := human(pending)
	assert.Contains(t, out, "codes sent:     2\n")
	assert.Contains(t, out, "attempts used:  not reported by the service (2 allowed)\n")
	assert.Contains(t, out, "next:           verify the code, or resend a new one until 2026-11-02 09:01:10 UTC; or cancel\n")
	assert.Contains(t, out, "status:         pending\n", "the fields keep their alignment")

	code := tr.code(pending)
	tr.run("verify", pending, wrongCode(code))
	tr.run("verify", pending, wrongCode(code))
	out = human(pending)
	assert.Contains(t, out, "status:         failed\n")
	assert.Contains(t, out, "attempts used:  2 of 2\n")
	assert.Contains(t, out, "next:           finished (failed): send a new code with 'bsg2fa send'\n")

	verified := tr.id("send", "-to", "380501234567", "-json")
	tr.run("verify", verified, tr.code(verified))
	out = human(verified)
	assert.Contains(t, out, "attempts used:  at most 3 of 3, the last one right\n")
	assert.Contains(t, out, "next:           finished (verified): nothing left to do\n")

	expired := tr.id("send", "-to", "380501234567", "-lifetime", "30s", "-json")
	tr.clock.Advance(31 * time.Second)
	out = human(expired)
	assert.Contains(t, out, "next:           finished (expired): send a new code with 'bsg2fa send'\n")

	r := tr.run("status", expired, "-json")
	assert.NotContains(t, r.stdout, "attempts")
	assert.NotContains(t, r.stdout, "next")
}

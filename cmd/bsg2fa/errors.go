package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// errorKinds names each failure with a stable snake_case kind, most specific first: an
// *APIError can match several sentinels (a 422 that says "Authentication invalid status" is
// also a refusal of the parameters), and the first match is the kind. The list is the
// contract scripts rely on: the README's "Command line" section lists it, and a kind once
// published is never renamed.
var errorKinds = []struct {
	err  error
	kind string
}{
	{wrapper.ErrWrongCode, "wrong_code"},
	{wrapper.ErrCodeExpired, "code_expired"},
	{wrapper.ErrAttemptsExceeded, "attempts_exceeded"},
	{wrapper.ErrAuthenticationNotFound, "not_found"},
	{wrapper.ErrAuthenticationExpired, "authentication_expired"},
	{wrapper.ErrAuthenticationFailed, "authentication_failed"},
	{wrapper.ErrAuthenticationCanceled, "authentication_canceled"},
	{wrapper.ErrAuthenticationInvalidStatus, "invalid_status"},
	{wrapper.ErrPendingLimit, "pending_limit"},
	{wrapper.ErrTotalLimit, "total_limit"},
	{wrapper.ErrPriceNotFound, "price_not_found"},
	{wrapper.ErrStopList, "stop_list"},
	{wrapper.ErrChannelInactive, "channel_inactive"},
	{wrapper.ErrChannelNotFound, "channel_not_found"},
	{wrapper.ErrTemplateNotFound, "template_not_found"},
	{wrapper.ErrTemplateNotAvailable, "template_not_available"},
	{wrapper.ErrTemplateNotApproved, "template_not_approved"},
	{wrapper.ErrDefaultTemplate, "default_template"},
	{wrapper.ErrTemplateNameTaken, "template_name_taken"},
	{wrapper.ErrAccountType, "account_type"},
	{wrapper.ErrTemplateCodeMissing, "template_code_missing"},
	{wrapper.ErrTemplateCodeRepeated, "template_code_repeated"},
	{wrapper.ErrTemplateRequestLimit, "template_request_limit"},
	{wrapper.ErrUnauthorized, "unauthorized"},
	{wrapper.ErrInsufficientFunds, "insufficient_funds"},
	{wrapper.ErrRateLimited, "rate_limited"},
	{wrapper.ErrServiceUnavailable, "service_unavailable"},
	{wrapper.ErrResponseTooLarge, "response_too_large"},
	{wrapper.ErrMalformedResponse, "malformed_response"},
	{wrapper.ErrInvalidParams, "invalid_params"},
}

// The kinds of failures that are not one of the wrapper's sentinels.
const (
	kindUsage       = "usage"       // the command line cannot run (exit 2)
	kindInterrupted = "interrupted" // Ctrl-C or SIGTERM
	kindTimeout     = "timeout"     // an HTTP exchange took longer than -timeout
	kindNetwork     = "network"     // the service could not be reached
	kindLocal       = "local"       // anything else failing on this machine (stdin, a port to listen on)
)

// errorKind returns the kind of err.
func (c *cli) errorKind(err error) string {
	var usage *usageError
	if errors.As(err, &usage) {
		return kindUsage
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	var netErr net.Error
	switch {
	case c.ctx.Err() != nil && errors.Is(err, context.Canceled):
		return kindInterrupted
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return kindTimeout
	case errors.As(err, &netErr):
		return kindNetwork
	}
	return kindLocal
}

// errorJSON is the one object a failure prints to stderr with -json. Absent members are
// null, never left out, so scripts can read every member of every failure.
type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Kind       string  `json:"kind"`
	Status     *int    `json:"status"`      // the HTTP status of the service's answer
	Message    string  `json:"message"`     // the service's own messages, or what went wrong
	Field      *string `json:"field"`       // the flag or argument at fault, as typed
	RetryAfter *int64  `json:"retry_after"` // whole seconds the service asked to wait
}

// writeErrorJSON writes err as one line of JSON.
func (c *cli) writeErrorJSON(w io.Writer, err error, message string) {
	body := errorBody{Kind: c.errorKind(err), Message: message}
	var apiErr *wrapper.APIError
	var respErr *wrapper.ResponseError
	switch {
	case errors.As(err, &apiErr):
		body.Status = &apiErr.StatusCode
		if msgs := apiErr.Errors; len(msgs) > 0 {
			body.Message = strings.Join(msgs, "; ")
		} else if apiErr.Message != "" {
			body.Message = apiErr.Message
		} else {
			body.Message = http.StatusText(apiErr.StatusCode)
		}
		if apiErr.RetryAfter > 0 {
			secs := int64((apiErr.RetryAfter + time.Second - 1) / time.Second)
			body.RetryAfter = &secs
		}
		if fields := slices.Sorted(maps.Keys(apiErr.FieldErrors)); len(fields) > 0 {
			body.Field = c.fieldName(fields[0])
		}
	case errors.As(err, &respErr):
		body.Status = &respErr.StatusCode
	}
	var verr *wrapper.ValidationError
	if errors.As(err, &verr) {
		body.Field = c.fieldName(verr.Field)
	}
	var usage *usageError
	if errors.As(err, &usage) && usage.field != "" {
		body.Field = &usage.field
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errorJSON{body}) // stderr's own failures have nowhere to be reported
}

// fieldName is the flag or argument that set a request field (a Go field name of the
// wrapper's requests, or the service's name of it), or the field itself when no flag does.
func (c *cli) fieldName(field string) *string {
	if name, ok := c.flagOf[field]; ok {
		return &name
	}
	return &field
}

// fieldRule is how one field of a wrapper request is named on the command line.
type fieldRule struct {
	field  string // the wrapper's field ("CodeLifetime") or the service's ("code_lifetime")
	flag   string // what the user typed ("-lifetime"), or an argument ("ID")
	reason string // said instead of the wrapper's reason when the flag's own terms differ
}

// nameFields tells report how this command's flags map to request fields, so that a refusal
// names the flag the user typed.
func (c *cli) nameFields(rules ...fieldRule) {
	c.flagOf = map[string]string{"ID": "ID", "Code": "CODE"}
	c.reasonOf = map[string]string{}
	for _, r := range rules {
		c.flagOf[r.field] = r.flag
		if r.reason != "" {
			c.reasonOf[r.field] = r.reason
		}
	}
}

// validationMessage says what a *wrapper.ValidationError refused, in the command line's
// terms: "-lifetime must be 30s to 5m, in whole seconds", not "invalid CodeLifetime".
func (c *cli) validationMessage(verr *wrapper.ValidationError) string {
	name, ok := c.flagOf[verr.Field]
	if !ok {
		return "invalid " + verr.Field + ": " + verr.Reason
	}
	reason := verr.Reason
	if r, ok := c.reasonOf[verr.Field]; ok {
		reason = r
	}
	if strings.HasPrefix(reason, "must ") || strings.HasPrefix(reason, "is ") {
		return name + " " + reason
	}
	return name + ": " + reason
}

// cleanMessage removes the "bsg2fa: " that each layer of the wrapper puts before its part of
// a message, so that "login: bsg2fa: 401 …" reads "login: 401 …": the program's own prefix
// is the only one.
func cleanMessage(msg string) string {
	msg = strings.TrimPrefix(msg, "bsg2fa: ")
	return strings.ReplaceAll(msg, ": bsg2fa: ", ": ")
}

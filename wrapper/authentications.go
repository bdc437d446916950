package wrapper

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/gen"
)

// SendOTP creates an authentication session and sends its one-time password to
// req.Recipient. The request is checked first (see SendOTPRequest) and refused with a
// *ValidationError without sending anything.
//
// SendOTP is never repeated after the request may have reached the service (a 5xx, a timeout,
// a dropped connection, a 429 refusing it as a duplicate of a send still under way): that
// could send the user a second code. It is repeated only after a failure to connect.
func (c *Client) SendOTP(ctx context.Context, req SendOTPRequest) (*Authentication, error) {
	req, err := validateSendOTP(req)
	if err != nil {
		return nil, err
	}
	body := gen.SendOtpRequest{
		Channel:      string(req.Channel),
		Sender:       req.Sender,
		SenderAlt:    req.SenderAlt,
		CodeLifetime: int(req.CodeLifetime / time.Second),
		CodeMaxTries: req.CodeMaxTries,
		CodeDigits:   req.CodeDigits,
	}
	// Both unions are set from plain values; their encoding cannot fail.
	_ = body.Recipient.FromPhoneNumber(req.Recipient)
	_ = body.TemplateId.FromTemplateIdNumber(req.TemplateID)

	hr, err := gen.NewSendOtpRequest(c.server, body)
	if err != nil {
		return nil, requestError(err)
	}
	ans, err := c.do(ctx, hr, callInfo{
		path:      "/api/2fa/authentications/otp",
		recipient: req.Recipient,
		notFound:  ErrTemplateNotFound,
	})
	if err != nil {
		return nil, err
	}
	return oneAuthentication(ans, "")
}

// ResendOTP sends a new code for a pending session; the previous code stops working.
func (c *Client) ResendOTP(ctx context.Context, id string) (*Authentication, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	req, err := gen.NewResendOtpRequest(c.server, id)
	if err != nil {
		return nil, requestError(err)
	}
	ans, err := c.do(ctx, req, callInfo{path: "/api/2fa/authentications/otp/{id}/resend", notFound: ErrAuthenticationNotFound})
	if err != nil {
		return nil, err
	}
	return oneAuthentication(ans, id)
}

// VerifyOTP checks the code the user typed; spaces around it (a pasted code) are removed
// first. A nil error means exactly this: the session id asked about is now verified; any
// other success answer (another session, a status other than verified) is an error matching
// ErrMalformedResponse. A wrong code is an error matching ErrWrongCode (and counts as an
// attempt), and the other outcomes match ErrCodeExpired, ErrAttemptsExceeded,
// ErrAuthenticationFailed, ErrAuthenticationInvalidStatus, ErrAuthenticationNotFound and so on.
func (c *Client) VerifyOTP(ctx context.Context, id, code string) (*Authentication, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	if err := validateCode(code); err != nil {
		return nil, err
	}
	var body gen.VerifyOtpRequest
	// A string keeps leading zeros; its encoding cannot fail.
	_ = body.AccessCode.FromVerifyOtpRequestAccessCode0(code)

	req, err := gen.NewVerifyOtpRequest(c.server, id, body)
	if err != nil {
		return nil, requestError(err)
	}
	ans, err := c.do(ctx, req, callInfo{
		path:     "/api/2fa/authentications/otp/{id}/verify",
		code:     code,
		notFound: ErrAuthenticationNotFound,
	})
	if err != nil {
		return nil, err
	}
	a, err := oneAuthentication(ans, id)
	if err == nil && a.Status != StatusVerified {
		return nil, ans.malformed(errNotVerified)
	}
	return a, err
}

// CancelOTP cancels a pending session.
func (c *Client) CancelOTP(ctx context.Context, id string) (*Authentication, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	req, err := gen.NewCancelOtpRequest(c.server, id)
	if err != nil {
		return nil, requestError(err)
	}
	ans, err := c.do(ctx, req, callInfo{path: "/api/2fa/authentications/{id}/cancel", notFound: ErrAuthenticationNotFound})
	if err != nil {
		return nil, err
	}
	return oneAuthentication(ans, id)
}

// GetAuthentication reads one session with its messages.
func (c *Client) GetAuthentication(ctx context.Context, id string) (*Authentication, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	req, err := gen.NewGetAuthenticationRequest(c.server, id)
	if err != nil {
		return nil, requestError(err)
	}
	ans, err := c.do(ctx, req, callInfo{path: "/api/2fa/authentications/{id}", notFound: ErrAuthenticationNotFound})
	if err != nil {
		return nil, err
	}
	return oneAuthentication(ans, id)
}

// ListAuthenticationsPage reads one page of the sessions created between req.From and req.To
// (whole days, UTC). Total is the number of sessions that match in all.
func (c *Client) ListAuthenticationsPage(ctx context.Context, req ListAuthenticationsRequest) (*AuthenticationPage, error) {
	page, _, err := c.listAuthentications(ctx, req)
	return page, err
}

// listAuthentications reads one page and reports whether a further page may follow.
func (c *Client) listAuthentications(ctx context.Context, req ListAuthenticationsRequest) (*AuthenticationPage, bool, error) {
	req, err := validateListAuthentications(req)
	if err != nil {
		return nil, false, err
	}
	params := gen.ListAuthenticationsParams{
		PageOffset:        &req.Offset,
		PageLimit:         &req.Limit,
		FilterFrom:        req.From.UTC().Format(time.DateOnly),
		FilterTo:          req.To.UTC().Format(time.DateOnly),
		FilterStatus:      optional(gen.AuthenticationStatus(req.Status)),
		FilterChannel:     optional(string(req.Channel)),
		FilterRecipient:   optional(req.Recipient),
		FilterCountryCode: optional(req.CountryCode),
		Way:               optional(gen.SortWay(req.Order)),
		Sort:              optional(gen.ListAuthenticationsParamsSort(req.SortBy)),
	}
	if len(req.IDs) > 0 {
		params.FilterIds = &req.IDs
	}
	hr, err := gen.NewListAuthenticationsRequest(c.server, &params)
	if err != nil {
		return nil, false, requestError(err)
	}
	ans, err := c.do(ctx, hr, callInfo{path: "/api/2fa/authentications"})
	if err != nil {
		return nil, false, err
	}
	g, err := decode[gen.AuthenticationListResponse](ans)
	if err != nil {
		return nil, false, err
	}
	if g.Data.List == nil {
		return nil, false, ans.malformed(&fieldError{"data.list", errMissing})
	}
	items, err := toAuthentications(g.Data.List)
	if err != nil {
		return nil, false, ans.malformed(err)
	}
	p := paging(len(items), req.Offset, req.Limit, g.Data.Total, g.Data.Total > 0)
	return &AuthenticationPage{Items: items, Total: p.total}, p.next, nil
}

// pageInfo is what a list answer says about the pages after it.
type pageInfo struct {
	total int  // the total to report: the service's, or what this page proves at least
	next  bool // whether a further page may hold more
}

// paging works out, for a page of count items read at offset, the total to report and
// whether to read on. With a total, the walk stops when it is reached; without one, when a
// page comes back short. An empty page always ends it, so a service that keeps announcing
// more than it returns cannot make an iterator loop.
func paging(count, offset, limit, total int, hasTotal bool) pageInfo {
	seen := offset + count
	switch {
	case count == 0 && hasTotal:
		return pageInfo{total: total}
	case count == 0:
		return pageInfo{total: seen}
	case !hasTotal:
		return pageInfo{total: seen, next: count >= limit}
	case total < seen:
		// A total smaller than what has been seen cannot be right; trust the items.
		return pageInfo{total: seen}
	}
	return pageInfo{total: total, next: seen < total}
}

// Why a 2xx answer about one session cannot be used.
var (
	errOtherSession = errors.New("the answer is about another session")
	errNotVerified  = errors.New("the verify answer does not say verified")
)

// oneAuthentication reads an answer about one session: data missing, null or unreadable
// is a malformed answer, never an empty session, and so is an answer about another session
// than id (when the call asked about one).
func oneAuthentication(ans *answer, id string) (*Authentication, error) {
	g, err := decode[gen.AuthenticationResponse](ans)
	if err != nil {
		return nil, err
	}
	a := new(Authentication)
	if err := toAuthentication(&g.Data, a); err != nil {
		return nil, ans.malformed(err)
	}
	if id != "" && a.ID != id {
		return nil, ans.malformed(errOtherSession)
	}
	return a, nil
}

// optional returns a pointer to v, or nil for the zero value: gen leaves nil query parameters
// out, and an unset filter must not be sent as an empty one.
func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

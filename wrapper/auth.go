package wrapper

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-bsg/bsg2fa/gen"
)

// refreshShare is how much of a token's lifetime passes before it is refreshed (in tenths):
// early enough that a slow refresh still finishes before the old bearer runs out.
const refreshShare = 8

// authState holds the bearer every call uses and makes sure one login or refresh runs at a
// time, however many goroutines need a token at once.
type authState struct {
	apiKey secret
	now    func() time.Time // the local clock; replaced by tests

	mu     sync.Mutex
	tok    *token  // nil until the first login, and after a 401 invalidated it
	flight *flight // the login or refresh under way, if any
}

// token is one bearer with its local deadlines. The deadlines are judged against our own clock
// only, so a service whose clock differs from ours never makes the client log in on every call.
type token struct {
	bearer secret
	// authorization is the Authorization header value, "Bearer " and the bearer, made once.
	authorization secret

	// Guarded by authState.mu. Zero: unknown lifetime, the bearer is used until refused.
	refreshAt time.Time
	expiresAt time.Time
}

// flight is a login or refresh in progress; the goroutines that need its result wait on done.
type flight struct {
	done chan struct{}
	tok  *token
	err  error
}

// newToken reads the exp and iat claims of a bearer (without verifying it: the service does
// that) and sets its local deadlines. fresh says the bearer was issued just now, at sent by our
// clock: its lifetime is then exp − iat, whatever the service's clock says. A bearer from
// elsewhere may be old, so only exp − now counts for it. Unknown lifetime: use until a 401.
func newToken(bearer string, sent time.Time, fresh bool) *token {
	t := &token{bearer: secret(bearer), authorization: secret("Bearer " + bearer)}
	exp, iat := jwtTimes(bearer)
	var life time.Duration
	switch {
	case fresh && exp > 0 && iat > 0 && exp > iat:
		life = seconds(exp - iat)
	case exp > 0:
		life = time.Unix(0, 0).Add(seconds(exp)).Sub(sent)
	}
	if life > 0 {
		t.expiresAt = sent.Add(life)
		t.refreshAt = sent.Add(life / 10 * refreshShare)
	}
	return t
}

// seconds converts a JWT NumericDate span to a Duration, saturating instead of overflowing.
func seconds(s float64) time.Duration {
	// maxSeconds·1e9 rounds to 2⁶³, which no Duration holds: it saturates too.
	const maxSeconds = float64(1<<63-1) / float64(time.Second)
	if s >= maxSeconds {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(s * float64(time.Second))
}

// jwtTimes returns the exp and iat claims of a JWT, or zeros when it has none or is not a JWT.
func jwtTimes(bearer string) (exp, iat float64) {
	_, rest, ok := strings.Cut(bearer, ".")
	if !ok {
		return 0, 0
	}
	payload, _, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, 0
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(payload, "="))
	if err != nil {
		return 0, 0
	}
	var claims struct {
		Exp *float64 `json:"exp"`
		Iat *float64 `json:"iat"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return 0, 0
	}
	if claims.Exp != nil && *claims.Exp > 0 {
		exp = *claims.Exp
	}
	if claims.Iat != nil && *claims.Iat > 0 {
		iat = *claims.Iat
	}
	return exp, iat
}

// canLogin reports whether there is an API key to get a new bearer with.
func (a *authState) canLogin() bool { return a.apiKey != "" }

// invalidate forgets used after the service refused it, unless another goroutine has already
// replaced it: concurrent 401s on one bearer then cause a single login.
func (a *authState) invalidate(used *token) {
	a.mu.Lock()
	if a.tok == used {
		a.tok = nil
	}
	a.mu.Unlock()
}

// finish publishes the result of f and wakes the goroutines waiting for it.
func (a *authState) finish(f *flight, tok *token, err error) {
	a.mu.Lock()
	if err == nil {
		a.tok = tok
	}
	a.flight = nil
	f.tok, f.err = tok, err
	a.mu.Unlock()
	close(f.done)
}

// token returns the bearer to send. It logs in when there is none, refreshes one that is due,
// and lets one goroutine do either while the others wait (or, during a refresh, keep using the
// still-valid bearer).
func (c *Client) token(ctx context.Context) (*token, error) {
	a := c.auth
	for {
		a.mu.Lock()
		now := a.now()
		tok := a.tok
		usable := tok != nil && (tok.expiresAt.IsZero() || now.Before(tok.expiresAt) || !a.canLogin())
		if usable {
			if tok.refreshAt.IsZero() || now.Before(tok.refreshAt) || a.flight != nil {
				a.mu.Unlock()
				return tok, nil
			}
			f := &flight{done: make(chan struct{})}
			a.flight = f
			a.mu.Unlock()
			return c.renew(ctx, f, tok), nil
		}
		if f := a.flight; f != nil {
			a.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if f.err == nil {
				return f.tok, nil
			}
			if ctx.Err() == nil && isContextError(f.err) {
				// The goroutine that logged in gave up on its own context; ours is still
				// good, so try again rather than fail with someone else's cancellation.
				continue
			}
			return nil, f.err
		}
		if !a.canLogin() {
			a.mu.Unlock()
			return nil, &APIError{StatusCode: http.StatusUnauthorized, Message: "no bearer and no API key to log in with"}
		}
		f := &flight{done: make(chan struct{})}
		a.flight = f
		a.mu.Unlock()
		tok, err := c.login(ctx)
		a.finish(f, tok, err)
		return tok, err
	}
}

// renew replaces old, which is due for refresh but still valid: refresh first, log in again if
// that fails. When both fail, old is kept until it runs out and the next attempt is put off, so
// a failing auth endpoint is not called on every request.
func (c *Client) renew(ctx context.Context, f *flight, old *token) *token {
	tok, err := c.refresh(ctx, old)
	if err != nil && c.auth.canLogin() {
		tok, err = c.login(ctx)
	}
	if err != nil {
		a := c.auth
		a.mu.Lock()
		now := a.now()
		if !old.expiresAt.IsZero() {
			old.refreshAt = now.Add(old.expiresAt.Sub(now) / 2)
		}
		// old stays in place unless a 401 has invalidated it meanwhile.
		a.flight = nil
		f.tok = old
		a.mu.Unlock()
		close(f.done)
		c.debug(ctx, "bsg2fa token renewal failed; keeping the current bearer", "error", err.Error())
		return old
	}
	c.auth.finish(f, tok, nil)
	return tok
}

// login exchanges the API key for a bearer. A refusal matches ErrUnauthorized whatever status
// carried it, so that a bad key is reported as such and never retried in a loop.
func (c *Client) login(ctx context.Context) (*token, error) {
	req, err := gen.NewLoginRequest(c.server, gen.LoginRequest{ApiKey: c.auth.apiKey.reveal()})
	if err != nil {
		return nil, requestError(err)
	}
	sent := c.auth.now()
	ans, err := c.do(ctx, req, callInfo{path: "/api/auth/login", auth: authNone})
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 &&
			apiErr.StatusCode != http.StatusTooManyRequests && !errors.Is(err, ErrUnauthorized) {
			return nil, fmt.Errorf("bsg2fa: login refused: %w: %w", ErrUnauthorized, err)
		}
		return nil, fmt.Errorf("bsg2fa: login: %w", err)
	}
	return bearerFrom(ans, sent)
}

// refresh exchanges a still-valid bearer for a fresh one.
func (c *Client) refresh(ctx context.Context, old *token) (*token, error) {
	req, err := gen.NewRefreshTokenRequest(c.server)
	if err != nil {
		return nil, requestError(err)
	}
	sent := c.auth.now()
	ans, err := c.do(ctx, req, callInfo{path: "/api/auth/refresh", auth: authGiven, bearer: old})
	if err != nil {
		return nil, fmt.Errorf("bsg2fa: refresh: %w", err)
	}
	return bearerFrom(ans, sent)
}

// bearerFrom turns a token answer into a token. The body is never quoted in the error: it
// may hold a bearer.
func bearerFrom(ans *answer, sent time.Time) (*token, error) {
	tr, err := decode[gen.TokenResponse](ans)
	if err != nil {
		return nil, err
	}
	if !usableBearer(tr.Bearer) {
		return nil, ans.malformed(errors.New("no usable bearer in the token answer"))
	}
	return newToken(tr.Bearer, sent, true), nil
}

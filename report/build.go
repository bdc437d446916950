package report

import (
	"context"
	"fmt"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// PageSize is how many sessions Build asks for per page: the most the service gives.
const PageSize = 500

// Build reads every session created in [req.From, req.To] from the service, PageSize at a
// time in the order they were created, and returns the report on them. It aggregates each
// page as it arrives, so memory stays that of the report's rows however many sessions there
// are.
//
// When the context is canceled or a request fails part of the way, Build returns no report
// and an *IncompleteError that says how far it got and wraps the cause; errors.Is(err,
// context.Canceled) and errors.As(err, &apiErr) see through it. A Request that cannot be run
// is an error matching ErrInvalidRequest, before any request is made.
//
// Sessions created while the walk goes on are read when they fall in the period; sessions
// the service drops during the walk (after its retention) can make the following pages skip
// as many sessions.
func Build(ctx context.Context, c *wrapper.Client, req Request) (*Report, error) {
	from, to, err := checkRequest(c, req)
	if err != nil {
		return nil, err
	}
	maxPrefixes := req.MaxPrefixes
	if maxPrefixes <= 0 {
		maxPrefixes = DefaultMaxPrefixes
	}
	g := newAggregator(req.By, maxPrefixes)
	start := time.Now()
	var p Progress
	list := wrapper.ListAuthenticationsRequest{
		From: from, To: to, Limit: PageSize, SortBy: "created_at", Order: wrapper.Asc,
	}
	for page, err := range c.AuthenticationPages(ctx, list) {
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				err = ctxErr // the request's own wording adds nothing to "canceled"
			}
			return nil, &IncompleteError{Pages: p.Pages, Sessions: p.Sessions, Total: p.Total, Err: err}
		}
		for i := range page.Items {
			g.add(&page.Items[i])
		}
		p.Pages++
		p.Sessions += len(page.Items)
		p.Total = max(page.Total, p.Sessions)
		p.Elapsed = time.Since(start)
		if req.Progress != nil {
			req.Progress(p)
		}
	}
	rep := g.report(req.Suspects.withDefaults())
	rep.From, rep.To, rep.Pages = from, to, p.Pages
	return rep, nil
}

// checkRequest validates req and returns its days as midnights UTC.
func checkRequest(c *wrapper.Client, req Request) (from, to time.Time, err error) {
	switch {
	case c == nil:
		return from, to, fmt.Errorf("%w: nil client", ErrInvalidRequest)
	case req.From.IsZero() || req.To.IsZero():
		return from, to, fmt.Errorf("%w: From and To are required", ErrInvalidRequest)
	}
	from, to = midnight(req.From), midnight(req.To)
	if to.Before(from) {
		return from, to, fmt.Errorf("%w: From %s is after To %s", ErrInvalidRequest, from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	if err := checkDimensions(req.By); err != nil {
		return from, to, err
	}
	return from, to, nil
}

func midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

package wrapper

import (
	"context"
	"iter"
	"slices"
)

// AuthenticationPages walks the sessions that match req a page at a time (req.Limit per page,
// 100 by default), from req.Offset, and yields each page with the total the service reports,
// for callers that want to show progress or handle a page as a whole. It stops where
// ListAuthentications does; breaking out of the loop stops the requests, and an error is
// yielded once and ends the walk.
func (c *Client) AuthenticationPages(ctx context.Context, req ListAuthenticationsRequest) iter.Seq2[*AuthenticationPage, error] {
	req.IDs = slices.Clone(req.IDs)
	return func(yield func(*AuthenticationPage, error) bool) {
		r := req
		for {
			page, next, err := c.listAuthentications(ctx, r)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) || !next {
				return
			}
			r.Offset += len(page.Items)
		}
	}
}

package wrapper

import (
	"context"
	"iter"
	"slices"
)

// ListAuthentications walks every session that matches req, page by page (req.Limit per
// page, 100 by default), starting at req.Offset. Breaking out of the loop stops the requests.
// An error is yielded once and ends the walk:
//
//	for a, err := range client.ListAuthentications(ctx, req) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(a.ID, a.Status)
//	}
func (c *Client) ListAuthentications(ctx context.Context, req ListAuthenticationsRequest) iter.Seq2[Authentication, error] {
	// A copy: the walk moves the offset, and the caller may reuse req meanwhile.
	req.IDs = slices.Clone(req.IDs)
	return func(yield func(Authentication, error) bool) {
		r := req
		for {
			page, next, err := c.listAuthentications(ctx, r)
			if err != nil {
				yield(Authentication{}, err)
				return
			}
			for _, a := range page.Items {
				if !yield(a, nil) {
					return
				}
			}
			if !next {
				return
			}
			r.Offset += len(page.Items)
		}
	}
}

// ListTemplates walks every template that matches req, page by page, like ListAuthentications.
func (c *Client) ListTemplates(ctx context.Context, req ListTemplatesRequest) iter.Seq2[Template, error] {
	req.IDs = slices.Clone(req.IDs)
	return func(yield func(Template, error) bool) {
		r := req
		for {
			page, next, err := c.listTemplates(ctx, r)
			if err != nil {
				yield(Template{}, err)
				return
			}
			for _, t := range page.Items {
				if !yield(t, nil) {
					return
				}
			}
			if !next {
				return
			}
			r.Offset += len(page.Items)
		}
	}
}

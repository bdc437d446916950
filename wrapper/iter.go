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
	// A copy: the caller may reuse req and its slice while the walk goes on.
	req.IDs = slices.Clone(req.IDs)
	return walk(req.Offset, func(offset int) ([]Authentication, bool, error) {
		r := req
		r.Offset = offset
		page, next, err := c.listAuthentications(ctx, r)
		if err != nil {
			return nil, false, err
		}
		return page.Items, next, nil
	})
}

// ListTemplates walks every template that matches req, page by page, like ListAuthentications.
func (c *Client) ListTemplates(ctx context.Context, req ListTemplatesRequest) iter.Seq2[Template, error] {
	req.IDs = slices.Clone(req.IDs)
	return walk(req.Offset, func(offset int) ([]Template, bool, error) {
		r := req
		r.Offset = offset
		page, next, err := c.listTemplates(ctx, r)
		if err != nil {
			return nil, false, err
		}
		return page.Items, next, nil
	})
}

// walk yields the items of the pages that read returns, starting at offset and moving on by
// the length of each page while read says another page follows. It reads a page only when the
// caller has taken every item of the one before, and yields an error once, as the last value.
func walk[T any](offset int, read func(offset int) (items []T, next bool, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		offset := offset // each walk of the sequence starts again from the first page
		for {
			items, next, err := read(offset)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if !next {
				return
			}
			offset += len(items)
		}
	}
}

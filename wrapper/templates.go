package wrapper

import (
	"context"
	"errors"

	"github.com/go-bsg/bsg2fa/gen"
)

// CreateTemplate asks for a new message template. It starts in TemplateRequested and can send
// codes once a manager has approved it.
func (c *Client) CreateTemplate(ctx context.Context, req CreateTemplateRequest) (*Template, error) {
	req, err := validateCreateTemplate(req)
	if err != nil {
		return nil, err
	}
	body := gen.CreateTemplateRequest{Name: req.Name, Text: req.Text, Countries: req.Countries}
	hr, err := gen.NewCreateTemplateRequest(c.server, body)
	if err != nil {
		return nil, requestError(err)
	}
	ans, err := c.do(ctx, hr, callInfo{path: "/api/2fa/authentications/templates"})
	if err != nil {
		return nil, err
	}
	return oneTemplate(ans, 0)
}

// GetTemplate reads one message template; an unknown id is an error matching
// ErrTemplateNotFound, and an answer about another template one matching
// ErrMalformedResponse.
func (c *Client) GetTemplate(ctx context.Context, id int) (*Template, error) {
	if err := validateTemplateID(id); err != nil {
		return nil, err
	}
	req, err := gen.NewGetTemplateRequest(c.server, id)
	if err != nil {
		return nil, requestError(err)
	}
	ans, err := c.do(ctx, req, callInfo{path: "/api/2fa/authentications/templates/{templateId}", notFound: ErrTemplateNotFound})
	if err != nil {
		return nil, err
	}
	return oneTemplate(ans, id)
}

// DeleteTemplate deletes a message template. Any success status counts, whatever the body
// says; the account's default template cannot be deleted (ErrDefaultTemplate).
func (c *Client) DeleteTemplate(ctx context.Context, id int) error {
	if err := validateTemplateID(id); err != nil {
		return err
	}
	req, err := gen.NewDeleteTemplateRequest(c.server, id)
	if err != nil {
		return requestError(err)
	}
	// With a 2xx status the template is gone, whatever the body says, or however it ends:
	// the body is not read.
	_, err = c.do(ctx, req, callInfo{
		path:       "/api/2fa/authentications/templates/{templateId}",
		notFound:   ErrTemplateNotFound,
		bodyUnused: true,
	})
	return err
}

// ListTemplatesPage reads one page of message templates. Total is the number of templates
// that match in all.
func (c *Client) ListTemplatesPage(ctx context.Context, req ListTemplatesRequest) (*TemplatePage, error) {
	page, _, err := c.listTemplates(ctx, req)
	return page, err
}

// listTemplates reads one page and reports whether a further page may follow.
func (c *Client) listTemplates(ctx context.Context, req ListTemplatesRequest) (*TemplatePage, bool, error) {
	req, err := validateListTemplates(req)
	if err != nil {
		return nil, false, err
	}
	params := gen.ListTemplatesParams{
		PageOffset:   &req.Offset,
		PageLimit:    &req.Limit,
		FilterStatus: optional(gen.TemplateStatus(req.Status)),
		Way:          optional(gen.SortWay(req.Order)),
		Sort:         optional(gen.ListTemplatesParamsSort(req.SortBy)),
	}
	if len(req.IDs) > 0 {
		params.FilterIds = &req.IDs
	}
	hr, err := gen.NewListTemplatesRequest(c.server, &params)
	if err != nil {
		return nil, false, requestError(err)
	}
	ans, err := c.do(ctx, hr, callInfo{path: "/api/2fa/authentications/templates"})
	if err != nil {
		return nil, false, err
	}
	g, err := decode[gen.TemplateListResponse](ans)
	if err != nil {
		return nil, false, err
	}
	list, total, hasTotal, err := templateList(g)
	if err != nil {
		return nil, false, ans.malformed(err)
	}
	items, err := toTemplates(list)
	if err != nil {
		return nil, false, ans.malformed(err)
	}
	p := paging(len(items), req.Offset, req.Limit, total, hasTotal)
	return &TemplatePage{Items: items, Total: p.total}, p.next, nil
}

// errOtherTemplate: the answer is about another template than the one asked for.
var errOtherTemplate = errors.New("the answer is about another template")

// oneTemplate reads an answer about one template: template id, when it is not 0.
func oneTemplate(ans *answer, id int) (*Template, error) {
	g, err := decode[gen.TemplateResponse](ans)
	if err != nil {
		return nil, err
	}
	t := new(Template)
	if err := toTemplate(&g.Data, t); err != nil {
		return nil, ans.malformed(err)
	}
	if id != 0 && t.ID != id {
		return nil, ans.malformed(errOtherTemplate)
	}
	return t, nil
}

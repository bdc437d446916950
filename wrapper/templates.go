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
	k := c.newCall(opTemplates, callAPI)
	resp, err := k.gcr.CreateTemplateWithResponse(ctx, body)
	if err != nil {
		return nil, k.fail(err, nil)
	}
	g := resp.JSON200
	if g == nil {
		g = resp.JSON201
	}
	return k.template(g, resp.Body, 0)
}

// GetTemplate reads one message template; an unknown id is an error matching
// ErrTemplateNotFound, and an answer about another template one matching
// ErrMalformedResponse.
func (c *Client) GetTemplate(ctx context.Context, id int) (*Template, error) {
	if err := validateTemplateID(id); err != nil {
		return nil, err
	}
	k := c.newCall(opTemplate, callAPI)
	resp, err := k.gcr.GetTemplateWithResponse(ctx, id)
	if err != nil {
		return nil, k.fail(err, ErrTemplateNotFound)
	}
	return k.template(resp.JSON200, resp.Body, id)
}

// DeleteTemplate deletes a message template. Any success status counts, whatever the body
// says; the account's default template cannot be deleted (ErrDefaultTemplate).
func (c *Client) DeleteTemplate(ctx context.Context, id int) error {
	if err := validateTemplateID(id); err != nil {
		return err
	}
	k := c.newCall(opTemplate, callAPI)
	if _, err := k.gcr.DeleteTemplateWithResponse(ctx, id); err != nil && k.status == 0 {
		// With a 2xx status the template is gone even if the body could not be read.
		return k.fail(err, ErrTemplateNotFound)
	}
	return nil
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
	k := c.newCall(opTemplates, callAPI)
	resp, err := k.gcr.ListTemplatesWithResponse(ctx, &params)
	if err != nil {
		return nil, false, k.fail(err, nil)
	}
	g := resp.JSON200
	if g == nil {
		g = new(gen.TemplateListResponse)
		if err := k.decodeOther(resp.Body, g); err != nil {
			return nil, false, err
		}
	}
	list, total, hasTotal, err := templateList(g)
	if err != nil {
		return nil, false, k.malformed(resp.Body, err)
	}
	items, err := toTemplates(list)
	if err != nil {
		return nil, false, k.malformed(resp.Body, err)
	}
	p := paging(len(items), req.Offset, req.Limit, total, hasTotal)
	return &TemplatePage{Items: items, Total: p.total}, p.next, nil
}

// errOtherTemplate: the answer is about another template than the one asked for.
var errOtherTemplate = errors.New("the answer is about another template")

// template finishes a call that answers one template: template id id, when it is not 0.
func (k *call) template(g *gen.TemplateResponse, body []byte, id int) (*Template, error) {
	if g == nil {
		g = new(gen.TemplateResponse)
		if err := k.decodeOther(body, g); err != nil {
			return nil, err
		}
	}
	t := new(Template)
	if err := toTemplate(&g.Data, t); err != nil {
		return nil, k.malformed(body, err)
	}
	if id != 0 && t.ID != id {
		return nil, k.malformed(body, errOtherTemplate)
	}
	return t, nil
}

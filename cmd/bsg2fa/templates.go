package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// templateCommands are the subcommands of "bsg2fa templates".
func templateCommands() []command {
	return []command{
		{"list", "list templates", (*cli).templatesList},
		{"get", "show one template", (*cli).templatesGet},
		{"create", "ask for a new template (it starts as requested)", (*cli).templatesCreate},
		{"delete", "delete a template", (*cli).templatesDelete},
	}
}

func templatesUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: bsg2fa templates <command> [flags] [arguments]")
	fmt.Fprintln(w, "\nMessage templates: the text of the message, with {code2fa} where the code goes.")
	fmt.Fprintln(w, "Template 1, the default, is approved and sends to every country. A new template can")
	fmt.Fprintln(w, "send once BSG's manager has approved it (the sandbox: POST /_sandbox/templates/{id}/approve).")
	fmt.Fprintln(w, "\nCommands:")
	for _, cmd := range templateCommands() {
		fmt.Fprintf(w, "  %-8s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w, "\nRun 'bsg2fa templates <command> -h' for the flags of a command.")
}

func (c *cli) templates(args []string) error {
	globals, args := splitGlobals(args)
	if len(args) == 0 {
		return &usageError{msg: "no templates command given", usage: templatesUsage}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		return &helpRequest{usage: templatesUsage}
	}
	for _, cmd := range templateCommands() {
		if cmd.name == args[0] {
			c.path = "templates " + cmd.name
			return cmd.run(c, append(globals, args[1:]...))
		}
	}
	return &usageError{msg: fmt.Sprintf("unknown templates command %q", args[0]), usage: templatesUsage}
}

func (c *cli) templatesList(args []string) error {
	f := newFlagSet("templates list", "[flags]", "List message templates. One page by default; -all walks every page.")
	var (
		status, sortBy, order string
		ids                   listFlag
		limit, offset         int
		all                   bool
	)
	f.StringVar(&status, "status", "", "requested, approved, rejected or deleted")
	f.Var(&ids, "ids", "template `ids`, comma-separated")
	f.StringVar(&sortBy, "sort", "", "template_id, status, name or updated_at")
	f.StringVar(&order, "order", "", "asc or desc")
	f.IntVar(&limit, "limit", 0, "page size, 10-500 (default 100)")
	f.IntVar(&offset, "offset", 0, "templates to skip")
	f.BoolVar(&all, "all", false, "walk every page from -offset on")
	cf := addClientFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	c.nameFields(
		fieldRule{field: "Offset", flag: "-offset"}, fieldRule{field: "Limit", flag: "-limit"},
		fieldRule{field: "IDs", flag: "-ids"}, fieldRule{field: "Status", flag: "-status"},
		fieldRule{field: "SortBy", flag: "-sort"}, fieldRule{field: "Order", flag: "-order"},
	)
	req := wrapper.ListTemplatesRequest{Offset: offset, Limit: limit, Status: wrapper.TemplateStatus(status),
		SortBy: sortBy, Order: wrapper.SortOrder(order)}
	for _, s := range ids {
		id, err := strconv.Atoi(s)
		if err != nil {
			return f.failField("-ids", "-ids: %q is not a template id", s)
		}
		req.IDs = append(req.IDs, id)
	}
	client, err := c.newClient(f, cf)
	if err != nil {
		return err
	}
	var page *wrapper.TemplatePage
	if all {
		page = &wrapper.TemplatePage{Items: []wrapper.Template{}}
		for t, err := range client.ListTemplates(c.ctx, req) {
			if err != nil {
				return err
			}
			page.Items = append(page.Items, t)
		}
		page.Total = len(page.Items)
	} else if page, err = client.ListTemplatesPage(c.ctx, req); err != nil {
		return err
	}
	if cf.json {
		return writeJSON(c.stdout, page)
	}
	writeTemplates(c.stdout, "", page.Items)
	fmt.Fprintln(c.stdout, pageSummary(len(page.Items), page.Total, offset, all, "template"))
	return nil
}

// templateCommand parses the flags and the one positional template id of get and delete, and
// builds the client, as sessionCommand does for session ids.
func (c *cli) templateCommand(args []string, name, about string) (*wrapper.Client, *clientFlags, int, error) {
	f := newFlagSet(name, "[flags] ID", about)
	cf := addClientFlags(f)
	pos, err := f.parse(args, "ID")
	if err != nil {
		return nil, nil, 0, err
	}
	c.nameFields(fieldRule{field: "TemplateID", flag: "ID"})
	id, err := strconv.Atoi(pos[0])
	if err != nil {
		return nil, nil, 0, f.failField("ID", "%q is not a template id", pos[0])
	}
	client, err := c.newClient(f, cf)
	if err != nil {
		return nil, nil, 0, err
	}
	return client, cf, id, nil
}

func (c *cli) templatesGet(args []string) error {
	client, cf, id, err := c.templateCommand(args, "templates get", "Show one message template.")
	if err != nil {
		return err
	}
	t, err := client.GetTemplate(c.ctx, id)
	if err != nil {
		return err
	}
	return c.printTemplate(cf, t)
}

func (c *cli) templatesCreate(args []string) error {
	f := newFlagSet("templates create", "-name NAME -text TEXT -countries UA,PT [flags]",
		"Ask for a new message template. It starts as requested and can send codes once approved.")
	var (
		name, text string
		countries  listFlag
	)
	f.StringVar(&name, "name", "", "a unique `name`, 3-50 characters (required)")
	f.StringVar(&text, "text", "", "the message, 9-70 characters with exactly one {code2fa} (required)")
	f.Var(&countries, "countries", "ISO 3166-1 alpha-2 `codes` the template may send to, comma-separated (required)")
	cf := addClientFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	c.nameFields(
		fieldRule{field: "Name", flag: "-name"}, fieldRule{field: "name", flag: "-name"},
		fieldRule{field: "Text", flag: "-text"}, fieldRule{field: "text", flag: "-text"},
		fieldRule{field: "Countries", flag: "-countries"}, fieldRule{field: "countries", flag: "-countries"},
	)
	switch {
	case name == "":
		return f.failField("-name", "-name is required")
	case text == "":
		return f.failField("-text", "-text is required")
	case len(countries) == 0:
		return f.failField("-countries", "-countries is required")
	}
	client, err := c.newClient(f, cf)
	if err != nil {
		return err
	}
	t, err := client.CreateTemplate(c.ctx, wrapper.CreateTemplateRequest{Name: name, Text: text, Countries: countries})
	if err != nil {
		return err
	}
	return c.printTemplate(cf, t)
}

func (c *cli) templatesDelete(args []string) error {
	client, cf, id, err := c.templateCommand(args, "templates delete",
		"Delete a message template. The default template 1 cannot be deleted.")
	if err != nil {
		return err
	}
	if err := client.DeleteTemplate(c.ctx, id); err != nil {
		return err
	}
	if cf.json {
		// The service answers {"status": "Successfully removed"}; the id says what was removed.
		return writeJSON(c.stdout, struct {
			TemplateID int  `json:"template_id"`
			Deleted    bool `json:"deleted"`
		}{id, true})
	}
	fmt.Fprintf(c.stdout, "template %d deleted\n", id)
	return nil
}

func (c *cli) printTemplate(cf *clientFlags, t *wrapper.Template) error {
	if cf.json {
		return writeJSON(c.stdout, t)
	}
	writeFields(c.stdout, "", templateFields(t))
	return nil
}

// Message templates as types: the placeholders of a literal template are the data a report
// must carry, so a misspelt message id or a missing argument is a compile error.

/** The `{{name}}` placeholders of a template literal type. */
export type Placeholders<Template extends string> = Template extends `${string}{{${infer Name}}}${infer Rest}` ? Name | Placeholders<Rest> : never;

export type MessageValue = string | number;

/** The data a report worded by `Template` needs: one value per placeholder. */
export type MessageData<Template extends string> = { readonly [Name in Placeholders<Template>]: MessageValue };

/** Rejects templates whose text is not known to the compiler (built with `+` or from a variable). */
export type LiteralMessages<Messages> = {
  readonly [Id in keyof Messages]: Messages[Id] extends string ? (string extends Messages[Id] ? 'a message template must be one string literal' : Messages[Id]) : never;
};

/** Fills a template; the types guarantee every placeholder has a value. */
export function formatMessage(template: string, data: Readonly<Record<string, MessageValue>> = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}

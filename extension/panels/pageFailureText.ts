// A page's `failed` message is shown in a VS Code notification, which renders [label](target) as a link, command:
// targets included. The text comes from the webview, which must be treated as untrusted, so it
// is shown bounded and with brackets that cannot form a link.
const MAX_LENGTH = 500;

export function pageFailureText(message: string): string {
  const bounded = message.length > MAX_LENGTH ? `${message.slice(0, MAX_LENGTH)}…` : message;
  // Full-width brackets read the same but are not Markdown link syntax.
  return bounded.replace(/\[/g, '［').replace(/\]/g, '］');
}

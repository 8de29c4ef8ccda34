/** Reading Block Kit back the way a person would: the text they see and the buttons they can press. */
interface Block {
  readonly type: string;
  readonly text?: { readonly text: string };
  readonly fields?: readonly { readonly text: string }[];
  readonly elements?: readonly Element[];
  readonly accessory?: Element;
}

export interface Element {
  readonly type: string;
  readonly text?: { readonly text: string } | string;
  readonly action_id?: string;
  readonly value?: string;
}

function asBlocks(blocks: unknown): readonly Block[] {
  return Array.isArray(blocks) ? (blocks as Block[]) : [];
}

/** Every visible text of a message's blocks, one piece per line. */
export function blockText(blocks: unknown): string {
  return asBlocks(blocks)
    .flatMap((block) => [block.text?.text ?? '', ...(block.fields ?? []).map((field) => field.text), ...(block.elements ?? []).map((element) => (typeof element.text === 'string' ? element.text : (element.text?.text ?? '')))])
    .join('\n');
}

export function buttons(blocks: unknown): Element[] {
  return asBlocks(blocks).flatMap((block) => (block.type === 'actions' ? [...(block.elements ?? [])] : block.accessory ? [block.accessory] : []));
}

export function findButton(blocks: unknown, actionId: string): Element | undefined {
  return buttons(blocks).find((element) => element.action_id === actionId);
}

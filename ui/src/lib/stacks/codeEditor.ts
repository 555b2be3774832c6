// CodeMirror 6 with YAML highlighting and one diagnostic at a time (the loader's). Imported
// lazily: the editor is big and only the compose editor needs it.
import { yaml } from '@codemirror/lang-yaml';
import { linter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorView, basicSetup } from 'codemirror';

export interface CodeEditor {
  text(): string;
  /** Marks `line` (1-based) with `message`; null clears. */
  problem(line: number | null, message: string | null): void;
  destroy(): void;
}

export function createEditor(parent: HTMLElement, doc: string, onchange: (text: string) => void): CodeEditor {
  const view = new EditorView({
    doc,
    parent,
    extensions: [
      basicSetup,
      yaml(),
      // Diagnostics come from the backend's loader, set explicitly below.
      linter(null),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onchange(u.state.doc.toString());
      }),
      EditorView.theme({ '&': { height: '100%', fontSize: '12.5px' }, '.cm-scroller': { fontFamily: 'var(--mono)' } }),
    ],
  });
  return {
    text: () => view.state.doc.toString(),
    problem(line, message) {
      const diagnostics: Diagnostic[] = [];
      if (message) {
        const l = view.state.doc.line(Math.min(Math.max(line ?? 1, 1), view.state.doc.lines));
        diagnostics.push({ from: l.from, to: Math.max(l.to, l.from), severity: 'error', message });
      }
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    destroy: () => view.destroy(),
  };
}

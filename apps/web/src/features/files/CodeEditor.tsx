import { useEffect, useRef } from 'react';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { css } from '@codemirror/lang-css';
import { html } from '@codemirror/lang-html';
import { javascript } from '@codemirror/lang-javascript';
import { php } from '@codemirror/lang-php';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import type { EditorLanguage } from './fileKinds';

function languageExtension(language: EditorLanguage): Extension {
  switch (language) {
    case 'php':
      return php();
    case 'javascript':
      return javascript({ jsx: true, typescript: true });
    case 'css':
      return css();
    case 'html':
      return html();
    case 'plain':
      return [];
  }
}

export interface CodeEditorProps {
  /** The text the editor starts with; a new value (a reload) replaces the document. */
  value: string;
  language: EditorLanguage;
  /** The accessible name of the editing area. */
  label: string;
  onChange: (text: string) => void;
}

/**
 * CodeEditor is CodeMirror 6 with highlighting for PHP, JavaScript, CSS and HTML. It is the only module
 * that imports CodeMirror and is loaded with a dynamic import (its own chunk), so no other page pays for it.
 */
export default function CodeEditor({ value, language, label, onChange }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    if (!host.current) return undefined;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          languageExtension(language),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current(update.state.doc.toString());
          }),
          EditorView.theme({ '&': { height: '60vh', fontSize: '13px' }, '.cm-scroller': { overflow: 'auto' } }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once per file and language; later `value` changes are applied below.
  }, [language, label]);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value)
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  return (
    <div ref={host} data-testid="code-editor" style={{ border: '1px solid var(--mantine-color-default-border)' }} />
  );
}

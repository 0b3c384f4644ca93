"""The pages' CSS and the JavaScript that runs in them.

Colours come from ``--rq-*`` variables set once for the light theme and once
under ``.dark`` (the class Gradio puts on ``<body>`` when the system, or
``?__theme=dark``, asks for the dark theme), on top of Gradio's own
``--body-text-color`` and ``--background-fill-*``: every text the pages render
keeps a contrast of at least 4.5:1 (WCAG AA) in both themes.

``PAGE_JS`` runs once in the conversation's ``gr.HTML`` (``js_on_load``, with
``element`` its container); ``EXPORT_JS`` is the 导出对话 button's ``js``.
"""

from __future__ import annotations

import json

from reportqa.ui.markdown import EXPORT_TITLE

# Delegated, so it keeps working when the conversation is re-rendered. A click on a citation opens
# that source's context and scrolls the cited figure into view; a click on 复制 puts the answer's
# Markdown on the clipboard (execCommand where the page is not a secure context).
PAGE_JS = """
const copyText = async (text) => {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
};
element.addEventListener('click', async (event) => {
  const copy = event.target.closest('button.rq-copy');
  if (copy) {
    await copyText(copy.dataset.copy);
    copy.textContent = '已复制';
    setTimeout(() => { copy.textContent = '复制'; }, 1500);
    return;
  }
  const cite = event.target.closest('a.rq-cite');
  if (!cite) return;
  event.preventDefault();
  const source = document.getElementById(cite.dataset.source);
  if (!source) return;
  const details = source.querySelector('details');
  if (details) details.open = true;
  source.classList.remove('rq-flash');
  void source.offsetWidth;
  source.classList.add('rq-flash');
  const passage = source.querySelector('.rq-context mark.passage');
  const figure = passage && (passage.querySelector('mark') || passage);
  (figure || source).scrollIntoView({block: 'center'});
});
"""

# The conversation's exchanges (each section's Markdown) under a title, saved as a dated .md file.
EXPORT_JS = """
() => {
  const exchanges = [...document.querySelectorAll('#rq-chat section.rq-turn[data-markdown]')];
  const text = [__TITLE__, ...exchanges.map((turn) => turn.dataset.markdown)].join('\\n\\n') + '\\n';
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], {type: 'text/markdown;charset=utf-8'}));
  link.download = `reportqa-对话-${new Date().toISOString().slice(0, 10)}.md`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
""".replace("__TITLE__", json.dumps(EXPORT_TITLE, ensure_ascii=False))

STYLE = """
.gradio-container {--rq-muted: #5b5f66; --rq-mark: #fff0a8; --rq-mark-text: #1f2328; --rq-passage: #e3f0ff;
  --rq-figure: #ffd966; --rq-figure-text: #1f2328; --rq-user: #eef4ff; --rq-warn: #8a4b00; --rq-warn-bg: #fff4e0;
  --rq-refused: #a12b2b; --rq-link: #1a5fb4; --rq-rule: #dde3ea;}
.dark .gradio-container {--rq-muted: #a9adb5; --rq-mark: #5c4a00; --rq-mark-text: #fff4c2; --rq-passage: #1c3557;
  --rq-figure: #e0b000; --rq-figure-text: #1f2328; --rq-user: #1f2a3d; --rq-warn: #f0b35a; --rq-warn-bg: #3a2a10;
  --rq-refused: #ff8a80; --rq-link: #7cb3ff; --rq-rule: #3f3f46;}
#rq-chat, #rq-results {color: var(--body-text-color);}
.rq-card, .rq-source {border: 1px solid var(--border-color-primary); border-radius: 8px;
  background: var(--background-fill-primary); color: var(--body-text-color);}
.rq-card {padding: 10px 14px; margin: 10px 0;}
.rq-card header, .rq-source header {font-weight: 600;}
.rq-rank {display: inline-block; min-width: 1.6em; color: var(--rq-muted);}
.rq-meta, .rq-understood, .rq-more summary {color: var(--rq-muted); font-size: 0.85em;}
.rq-notice {border-left: 3px solid #e0a800; padding: 2px 0 2px 10px; font-size: 0.9em; color: var(--body-text-color);}
.rq-passage {line-height: 1.7; margin: 6px 0; white-space: pre-line;}
.rq-context {white-space: pre-wrap; line-height: 1.6; background: var(--background-fill-secondary);
  color: var(--body-text-color); padding: 8px; max-height: 420px; overflow-y: auto; font-size: 0.92em;}
#rq-chat mark, #rq-results mark {background: var(--rq-mark); color: var(--rq-mark-text); padding: 0 1px;}
#rq-chat mark.passage, #rq-results mark.passage {background: var(--rq-passage); color: var(--body-text-color);}
#rq-chat mark.passage mark, #rq-results mark.passage mark {background: var(--rq-figure); color: var(--rq-figure-text);}
.rq-empty, .rq-pending {color: var(--rq-muted);}
.rq-turn {margin: 14px 0;}
.rq-user {margin-left: auto; width: fit-content; max-width: 80%; background: var(--rq-user); border-radius: 10px;
  padding: 8px 12px; color: var(--body-text-color);}
.rq-reply {border-left: 3px solid var(--rq-rule); padding: 2px 0 2px 12px; margin-top: 8px;}
.rq-answer {line-height: 1.8; font-size: 1.05em; margin: 4px 0; color: var(--body-text-color);}
.rq-refused {color: var(--rq-refused);}
.rq-note, .rq-error {color: var(--rq-warn); font-size: 0.9em;}
.rq-error details {color: var(--rq-muted);}
.rq-draft p {color: var(--rq-muted); line-height: 1.8;}
.rq-badge {display: inline-block; font-size: 0.8em; color: var(--rq-warn); background: var(--rq-warn-bg);
  border-radius: 4px; padding: 0 6px;}
a.rq-cite {text-decoration: none; color: var(--rq-link); font-size: 0.85em; vertical-align: super; padding: 0 1px;}
a.rq-cite:hover {text-decoration: underline;}
.rq-actions {display: flex; gap: 8px; align-items: center;}
button.rq-copy {font-size: 0.8em; color: var(--rq-muted); background: transparent; border: 1px solid
  var(--border-color-primary); border-radius: 4px; padding: 0 8px; cursor: pointer;}
button.rq-copy:hover {color: var(--body-text-color);}
.rq-sources h4 {margin: 10px 0 4px; font-size: 0.9em; color: var(--rq-muted);}
.rq-sources ol {list-style: none; padding: 0; margin: 0;}
.rq-source {padding: 8px 12px; margin: 6px 0;}
.rq-source.rq-flash {animation: rq-flash 1.5s ease-out;}
@keyframes rq-flash {from {background: var(--rq-mark);} to {background: var(--background-fill-primary);}}
.rq-reader {max-width: 48em; margin: 0 auto; color: var(--body-text-color);}
.rq-reader > header h2 {margin: 6px 0 2px; font-size: 1.3em; line-height: 1.4;}
.rq-reader > header .rq-meta {margin-bottom: 8px;}
.rq-outline {border: 1px solid var(--border-color-primary); border-radius: 8px; background:
  var(--background-fill-secondary); padding: 6px 12px; margin: 8px 0; max-height: 260px; overflow-y: auto;
  font-size: 0.9em;}
.rq-outline h3 {margin: 2px 0 4px; font-size: 1em; color: var(--rq-muted);}
.rq-outline ul {list-style: none; margin: 0; padding-left: 1.4em;}
.rq-outline > ul {padding-left: 0;}
.rq-outline li {margin: 2px 0; line-height: 1.5;}
.rq-outline a {color: var(--rq-link); text-decoration: none;}
.rq-outline a:hover {text-decoration: underline;}
.rq-reader .rq-text {max-height: 70vh; overflow-y: auto; padding: 4px 14px; line-height: 1.8;
  border-top: 1px solid var(--rq-rule); background: var(--background-fill-primary);}
.rq-reader .rq-text p {margin: 0 0 0.8em; text-indent: 2em;}
.rq-reader .rq-text p.rq-notice {text-indent: 0;}
.rq-reader .rq-text h3, .rq-reader .rq-text h4, .rq-reader .rq-text h5 {margin: 1.2em 0 0.5em; line-height: 1.5;
  color: var(--body-text-color); scroll-margin-top: 8px;}
.rq-reader .rq-text h3 {font-size: 1.15em;}
.rq-reader .rq-text h4 {font-size: 1.05em;}
.rq-reader .rq-text h5 {font-size: 1em;}
.rq-reader .rq-text :target {background: var(--rq-mark); color: var(--rq-mark-text);}
"""

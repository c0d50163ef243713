"""Independent reference for chat-template rendering: Debian's python3-jinja2 set up as Hugging Face
transformers' apply_chat_template sets it up (transformers/utils/chat_template_utils.py,
_compile_jinja_template: ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with
the loopcontrols extension, a raise_exception global raising TemplateError, and tojson as
json.dumps(ensure_ascii=False)), rendering with messages, add_generation_prompt, bos_token,
eos_token, tools=None, documents=None.

stdin:  {"cases": [{"template", "messages", "add_generation_prompt", "bos_token", "eos_token"}]}
stdout: [{"text": ...} | {"error": message of the TemplateError}]
"""
import json
import sys

from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception

out = []
for case in json.load(sys.stdin)["cases"]:
    try:
        template = env.from_string(case["template"])
        out.append({"text": template.render(messages=case["messages"], add_generation_prompt=case["add_generation_prompt"],
                                            bos_token=case["bos_token"], eos_token=case["eos_token"], tools=None, documents=None)})
    except TemplateError as e:
        out.append({"error": str(e)})
json.dump(out, sys.stdout, ensure_ascii=False)

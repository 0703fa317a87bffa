"""An example selector with LangChain's interface (BaseExampleSelector: add_example and
select_examples, and their async forms), backed by an iccache table. Duck-typed: it needs
no LangChain install, and FewShotPromptTemplate(example_selector=...) accepts it.

    selector = IccacheExampleSelector(db, k=2, input_key="question", output_key="answer")
    selector.add_example({"question": "What is 2+2?", "answer": "4"})
    selector.select_examples({"question": "What is 3+3?"})
    # -> [{"question": "What is 2+2?", "answer": "4"}]
"""


class IccacheExampleSelector:
    """Examples are dicts {input_key: request, output_key: response}; the request text of
    select_examples is input_variables[input_key] (or all values joined, without input_key).
    Selection is the table's MATCH: nearest neighbours ranked by learned utility."""

    def __init__(self, conn, table="ex", k=4, input_key=None, output_key="output", tenant=None,
                 model=None, quality=None, create=""):
        from . import Cache  # the package imports this module first
        self.cache = Cache(conn, table, create)
        self.k, self.input_key, self.output_key = k, input_key, output_key
        self.tenant, self.model, self.quality = tenant, model, quality

    def _input(self, variables):
        if self.input_key is not None:
            if self.input_key not in variables:
                raise KeyError("the example or input has no %r key (input_key); received keys %s"
                               % (self.input_key, sorted(variables)))
            return str(variables[self.input_key])
        return " ".join(str(v) for k, v in sorted(variables.items()) if k != self.output_key)

    def add_example(self, example):
        """Admits the example; returns its rowid."""
        if self.output_key not in example:
            raise KeyError("the example has no %r key (output_key); received keys %s"
                           % (self.output_key, sorted(example)))
        return self.cache.admit(self._input(example), str(example[self.output_key]), model=self.model,
                                quality=self.quality, tenant=self.tenant)

    def select_examples(self, input_variables):
        key = self.input_key or "input"
        return [{key: r["request"], self.output_key: r["response"]}
                for r in self.cache.select(self._input(input_variables), self.k, self.tenant)]

    async def aadd_example(self, example):
        return self.add_example(example)

    async def aselect_examples(self, input_variables):
        return self.select_examples(input_variables)

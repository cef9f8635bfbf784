"""Where the pipeline runs beyond one ``predict`` call: in partitions of the requests,
one process (:func:`rfl_match.backends.partitions.predict_in_partitions`) or a Dask
cluster (``rfl_match.backends.dask``, with the ``dask`` extra installed)."""

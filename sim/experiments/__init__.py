"""Running the model: one run function, the process pool and Dask executors, study files, the
resumable result store, and result folders on disk."""

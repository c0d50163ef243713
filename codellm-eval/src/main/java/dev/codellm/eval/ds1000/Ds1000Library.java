package dev.codellm.eval.ds1000;

import dev.codellm.core.CodellmException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The seven libraries of DS-1000, as the data spells them and as the Magicoder paper heads its table. */
public enum Ds1000Library {
    PANDAS("Pandas", "Pandas", "pandas", "pd"),
    NUMPY("Numpy", "NumPy", "numpy", "np"),
    MATPLOTLIB("Matplotlib", "Plt", "matplotlib", "plt"),
    TENSORFLOW("Tensorflow", "TF", "tensorflow", "tf"),
    SCIPY("Scipy", "SciPy", "scipy"),
    SKLEARN("Sklearn", "Sklearn", "sklearn", "scikit-learn"),
    PYTORCH("Pytorch", "PyTorch", "pytorch", "torch");

    /** The Magicoder paper's column order (its Table 4): Plt, NumPy, Pandas, PyTorch, SciPy, Sklearn, TF. */
    public static final List<Ds1000Library> PAPER_ORDER = List.of(MATPLOTLIB, NUMPY, PANDAS, PYTORCH, SCIPY, SKLEARN, TENSORFLOW);

    private final String dataName;
    private final String head;
    private final List<String> names;

    Ds1000Library(String dataName, String head, String... names) {
        this.dataName = dataName;
        this.head = head;
        this.names = List.of(names);
    }

    /** {@code metadata.library} in the data file ({@code Pandas}, {@code Numpy}, ...). */
    public String dataName() { return dataName; }

    /** The paper's column head ({@code Plt}, {@code NumPy}, ...). */
    public String head() { return head; }

    /** The name {@code --dataset ds1000/<name>} uses ({@code pandas}, {@code matplotlib}, ...). */
    public String cliName() { return names.get(0); }

    public static Ds1000Library fromData(String library, String where) {
        for (Ds1000Library l : values()) if (l.dataName.equals(library)) return l;
        throw new CodellmException(where + ": unknown DS-1000 library '" + library + "'");
    }

    /** {@code pandas}, {@code Pandas}, {@code pd}, {@code plt}, {@code tf}, ... */
    public static Ds1000Library parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (Ds1000Library l : values()) {
            if (l.names.contains(n) || l.dataName.toLowerCase(Locale.ROOT).equals(n) || l.head.toLowerCase(Locale.ROOT).equals(n)) return l;
        }
        throw new CodellmException("unknown DS-1000 library '" + name + "' (choose from: "
                + Arrays.stream(values()).map(Ds1000Library::cliName).collect(Collectors.joining(", ")) + ")");
    }
}

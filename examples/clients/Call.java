// Calls the calculator with aXMLRPC, a Java XML-RPC client library
// (fr.turri:aXMLRPC; Debian's libaxmlrpc-java). Java 11 or later runs the
// source file as it is:
//
//   java -cp /usr/share/java/axmlrpc.jar Call.java [URL]
//
// (default URL http://127.0.0.1:8080/RPC2)

// ANCHOR: client
import java.net.URL;
import java.util.Map;
import java.util.TreeMap;

import de.timroes.axmlrpc.XMLRPCClient;
import de.timroes.axmlrpc.XMLRPCServerException;

public class Call {
    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:8080/RPC2";
        XMLRPCClient calc = new XMLRPCClient(new URL(url));
        System.out.println("calc.add(2, 3) = " + calc.call("calc.add", 2, 3));
        Object[] values = {1.5, 2.5, 3};
        System.out.println("calc.sumAll([1.5, 2.5, 3]) = " + calc.call("calc.sumAll", (Object) values));
        // A struct comes back as a Map; a TreeMap prints it in key order.
        Map<?, ?> point = (Map<?, ?>) calc.call("calc.echo", Map.of("x", 3, "y", 4));
        System.out.println("calc.echo({x=3, y=4}) = " + new TreeMap<>(point));
        try {
            calc.call("calc.div", 1, 0);
        } catch (XMLRPCServerException fault) {
            // getErrorNr() is the fault code; the message ends with it too.
            System.out.println("calc.div(1, 0) threw " + fault);
        }
    }
}
// ANCHOR_END: client

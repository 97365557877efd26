import Foundation
import Testing
import JSON

@Suite struct JSONWriterTests {
    @Test func escapesStringsSoFoundationReadsThemBack() throws {
        let nasty = "quote\" backslash\\ newline\n tab\t bell\u{07} é 🎉 </script>"
        var json = JSONWriter()
        json.beginObject()
        json.field("s", nasty)
        json.field("n", Int64(-9_007_199_254_740_993))
        json.field("z", Int64(0))
        json.field("b", false)
        json.key("a")
        json.beginArray()
        json.value("x")
        json.value(Int64(42))
        json.endArray()
        json.endObject()
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        #expect(object["s"] as? String == nasty)
        #expect((object["n"] as? NSNumber)?.int64Value == -9_007_199_254_740_993)
        #expect((object["z"] as? NSNumber)?.intValue == 0)
        #expect(object["b"] as? Bool == false)
        #expect((object["a"] as? [Any])?.count == 2)
    }

    @Test func writesMinimalIntegers() {
        for number: Int64 in [0, 7, 10, 1_700_000_000, Int64.max, Int64.min] {
            var json = JSONWriter()
            json.value(number)
            #expect(String(decoding: json.bytes, as: UTF8.self) == String(number))
        }
    }
}
